import { type DetachOptions, spawnDetached } from './detach.js';
import { DaemonAlreadyRunningError } from './errors.js';
import { type DaemonLogger, flushOutput } from './logger.js';
import { getPidFileStatus, readPidFile } from './pid-file.js';
import { EXIT_FLUSH_TIMEOUT_MS } from './shutdown.js';

// `daemon.detach()` in the starting process (not in the detached copy, which takes its channel back
// instead): refuse a second copy, start the daemon in the background, say where it runs, exit.

/** Starts the daemon in the background and exits 0 once it is ready; throws when it cannot. */
export async function startInBackground(
  name: string,
  pidFile: string,
  settings: DetachOptions,
  logger: DaemonLogger,
): Promise<void> {
  const owner = getPidFileStatus(pidFile);
  if (owner.state === 'running') throw new DaemonAlreadyRunningError(name, owner.pid, pidFile);
  const { pid } = await spawnDetached(name, pidFile, settings);
  const shownPid = pid || readPidFile(pidFile) || '?';
  logger.info(`started in the background (pid ${shownPid}, pid file ${pidFile})`);
  await flushOutput(EXIT_FLUSH_TIMEOUT_MS);
  process.exit(0);
}
