import type { TendPaths } from '../paths.js';
import type { Connection } from './connection.js';

export interface CliContext {
  readonly paths: TendPaths;
  /** A connection that starts the daemon when none answers. */
  readonly api: Connection;
  /** A connection that never starts a daemon (read-only verbs, daemon status/stop). */
  readonly apiNoStart: Connection;
}

/**
 * What a command returns: its exit status, or `KEEPS_RUNNING` for a command that goes on running
 * after it returns (the foreground daemon), which ends the process itself.
 */
export const KEEPS_RUNNING = Symbol('keeps running');
export type CommandResult = number | typeof KEEPS_RUNNING;

export type Command = (args: string[], context: CliContext) => Promise<CommandResult>;
