import { writeSync } from 'node:fs';

// A daemon's log must survive its exit: every line is written synchronously to the fd (stderr by
// default, which a supervisor or the detach log file captures), so nothing waits in a buffer when
// process.exit() runs. A pipe left non-blocking by Node answers EAGAIN when full: wait and retry.

const EAGAIN_WAIT_MS = 1;
const EAGAIN_MAX_RETRIES = 2000;
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/**
 * Levels of the default logger, lowest first.
 *
 * @example
 * createDaemon({ name: 'news', logLevel: 'debug' satisfies LogLevel });
 */
export type LogLevel = keyof typeof LEVELS;

/**
 * What the toolkit logs through; pass your own (it only needs these four methods) to send the
 * lines elsewhere.
 *
 * @example
 * const logger: DaemonLogger = { debug() {}, info: console.log, warn: console.warn, error: console.error };
 * createDaemon({ name: 'news', logger });
 */
export interface DaemonLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface LoggerOptions {
  /** Shown in each line as `name[pid]`. */
  name: string;
  /** Where lines go; default 2 (stderr). */
  fd?: number;
  /** Instead of `fd`: takes each line (e.g. a file that rotates itself). It must not throw. */
  write?: (line: Buffer) => void;
  /** Lines below this level are dropped; default `info`. */
  level?: LogLevel;
}

/**
 * A logger writing `2025-01-31T12:00:00.000Z info news[4121]: message` lines synchronously.
 *
 * @example
 * const logger = createLogger({ name: 'news', level: 'debug' });
 * logger.info('fetched 12 headlines');
 * logger.error('fetch failed', error);
 */
export function createLogger(options: LoggerOptions): DaemonLogger {
  const fd = options.fd ?? 2;
  const write = options.write ?? ((data: Buffer) => writeAllSync(fd, data));
  const threshold = LEVELS[options.level ?? 'info'];
  const line = (level: LogLevel, message: string) => {
    if (LEVELS[level] < threshold) return;
    const text = `${new Date().toISOString()} ${level} ${options.name}[${process.pid}]: ${message}\n`;
    write(Buffer.from(text));
  };
  return {
    debug: (message) => line('debug', message),
    info: (message) => line('info', message),
    warn: (message) => line('warn', message),
    error: (message, error) =>
      line('error', error === undefined ? message : `${message}: ${describeError(error)}`),
  };
}

/** The stack when there is one (it starts with the message), else the value as text. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Writes all of `data` to `fd` before returning, waiting out EAGAIN; a log that cannot be written
 * (a closed fd, a full disk) is dropped rather than taking the daemon down.
 *
 * @example
 * writeAllSync(1, Buffer.from('last words\n'));
 */
export function writeAllSync(fd: number, data: Buffer): void {
  let offset = 0;
  let retries = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || ++retries > EAGAIN_MAX_RETRIES) return;
      sleepSync(EAGAIN_WAIT_MS);
    }
  }
}

/**
 * Resolves once process.stdout and process.stderr have handed everything to the OS (or after
 * `timeoutMs`), so console.log output written just before an exit is not lost.
 *
 * @example
 * console.log('bye');
 * await flushOutput(1000);
 * process.exit(0);
 */
export async function flushOutput(timeoutMs: number): Promise<void> {
  const busy = [process.stdout, process.stderr].filter((stream) => stream.writableLength > 0);
  if (busy.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  // The callback of an empty write runs once everything written before it has been flushed.
  const flushed = busy.map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve())));
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.all(flushed), deadline]);
  clearTimeout(timer);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
