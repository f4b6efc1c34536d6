// The resolved logging options of one program (see config/program-schema.ts for how users write them).

export const CONSOLE_TARGET = 'console';

export interface LogOptions {
  /** An absolute path, `/dev/null`, `console` (the daemon's stdout, prefixed), or null for the default file. */
  readonly out: string | null;
  readonly err: string | null;
  /** stderr goes into the stdout target, line by line, never torn mid-line. */
  readonly merge: boolean;
  readonly timestamps: boolean;
  readonly format: 'raw' | 'json';
  /** 0 disables rotation by size. */
  readonly maxSize: number;
  readonly keep: number;
  readonly compress: boolean;
  readonly rotateDaily: boolean;
}

export const DEFAULT_LOG_MAX_SIZE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 5;

export const DEFAULT_LOG_OPTIONS: LogOptions = {
  out: null,
  err: null,
  merge: false,
  timestamps: false,
  format: 'raw',
  maxSize: DEFAULT_LOG_MAX_SIZE_BYTES,
  keep: DEFAULT_LOG_KEEP,
  compress: false,
  rotateDaily: false,
};

/** Raw bytes into a file of their own need no line handling at all: the fast path. */
export function needsLines(options: LogOptions): boolean {
  return options.merge || options.timestamps || options.format === 'json';
}
