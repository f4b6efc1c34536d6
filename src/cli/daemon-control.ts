import type { DaemonInfo } from '../api/deps.js';
import { isTendError, TimeoutError } from '../errors.js';
import { isAlive } from '../proc/liveness.js';
import type { CliContext } from './context.js';

// Asking the running daemon about itself and asking it to exit: shared by `tend daemon` and
// `tend startup` (which hands a shell-started daemon over to the init system's).

const DAEMON_EXIT_TIMEOUT_MS = 120_000;
const EXIT_POLL_MS = 20;

/** What the running daemon says about itself, or null when none answers (none is started). */
export async function getDaemonInfo(context: CliContext): Promise<DaemonInfo | null> {
  try {
    return await context.apiNoStart.call<DaemonInfo>('GET', '/daemon');
  } catch (error) {
    if (isTendError(error) && error.code === 'DAEMON_UNAVAILABLE') return null;
    throw error;
  }
}

/** Asks the daemon to exit (stopping its programs, or leaving them to the next daemon) and waits until it has. */
export async function shutdownDaemon(context: CliContext, pid: number, stopPrograms: boolean): Promise<void> {
  await context.apiNoStart.call('POST', '/daemon/shutdown', { stopPrograms });
  await waitForExit(pid);
}

export async function waitForExit(pid: number): Promise<void> {
  const deadline = Date.now() + DAEMON_EXIT_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new TimeoutError(`daemon pid ${pid} to exit`, DAEMON_EXIT_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS));
  }
}
