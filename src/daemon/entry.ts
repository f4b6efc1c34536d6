import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { guardInspectorSignal } from '../sdk/signals.js';

// The daemon's entry point (dist/daemon.js). Run as a script when the CLI detaches it
// (`node dist/daemon.js --log-file`); imported by `tend daemon run`, which calls startDaemon.
// SIGUSR1 is guarded before the rest loads: until a listener exists, Node opens its inspector on it.
guardInspectorSignal();

const { isTendError } = await import('../errors.js');
const { getExitCode } = await import('../cli/exit-codes.js');
const { takeDetachChannel } = await import('../sdk/detach.js');
const { runDaemon } = await import('./main.js');

export const LOG_FILE_FLAG = '--log-file';
const EXIT_LOCKED = 3;

export interface StartOptions {
  /** Log into TEND_HOME/daemon.log instead of stdout. */
  readonly logToFile: boolean;
  /** `tend daemon run -f FILE`: an absolute path. */
  readonly configFile?: string;
}

/** Runs the daemon; on a failure to start, says why (to stderr and to whoever waits) and exits. */
export async function startDaemon(options: StartOptions): Promise<void> {
  const channel = takeDetachChannel();
  try {
    // Detached, the daemon starts where the CLI was and moves to the directory asked for ("/").
    if (channel) process.chdir(channel.cwd);
    await runDaemon({ ...options, channel });
  } catch (error) {
    const message = isTendError(error) ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`${new Date().toISOString()} error tend[${process.pid}]: ${message}\n`);
    channel?.fail(error);
    // Another daemon holds the pid file: the same status as a held database (3).
    if ((error as Error).name === 'DaemonAlreadyRunningError') process.exit(EXIT_LOCKED);
    process.exit(isTendError(error) ? getExitCode(error.code) : 1);
  }
}

if (isMainScript()) await startDaemon({ logToFile: process.argv.includes(LOG_FILE_FLAG) });

function isMainScript(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
