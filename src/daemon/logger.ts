import { writeSync } from 'node:fs';

// The daemon's own log: one line per message on stdout (a file in TEND_HOME when detached, the
// terminal or journald under `tend daemon run`). Synchronous, so nothing is lost at exit.

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(fd = 1): Logger {
  const write = (level: string, message: string) => {
    try {
      writeSync(fd, `${new Date().toISOString()} ${level} ${message}\n`);
    } catch {
      // a log that cannot be written must never take the daemon down
    }
  };
  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}
