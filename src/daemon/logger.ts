import { writeSync } from 'node:fs';

// The daemon's own log: one line per message, written synchronously so nothing is lost at exit.
// Foreground (`tend daemon run`): stdout, for the terminal, journald or the container runtime.
// Detached: TEND_HOME/daemon.log, rotated like a program's log.

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogWriter = (data: Buffer) => void;

export const writeStdout: LogWriter = (data) => {
  try {
    writeSync(1, data);
  } catch {
    // a log that cannot be written must never take the daemon down
  }
};

export function createLogger(write: LogWriter = writeStdout): Logger {
  const line = (level: string, message: string) =>
    write(Buffer.from(`${new Date().toISOString()} ${level} ${message}\n`));
  return {
    info: (message) => line('info', message),
    warn: (message) => line('warn', message),
    error: (message) => line('error', message),
  };
}
