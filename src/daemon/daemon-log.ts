import { LogFile } from '../logs/log-file.js';
import { writeAllSync } from '../sdk/logger.js';

// Where the daemon's own lines (and `console` program output) go. In the foreground (`tend daemon
// run`: a terminal, journald, a container runtime): stdout. Detached: TEND_HOME/daemon.log, rotated
// like a program's log.

const DAEMON_LOG_MAX_SIZE_BYTES = 10 * 1024 * 1024;
const DAEMON_LOG_KEEP = 3;

export type OutputWriter = (data: Buffer) => void;

export const writeStdout: OutputWriter = (data) => writeAllSync(1, data);

export function createDaemonLogFile(path: string): OutputWriter {
  const file = new LogFile(
    path,
    { maxSizeBytes: DAEMON_LOG_MAX_SIZE_BYTES, keep: DAEMON_LOG_KEEP, compress: false },
    { onFault: () => {}, onRecover: () => {} },
  );
  return (data) => file.write(data);
}
