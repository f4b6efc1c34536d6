import type { TendPaths } from '../paths.js';
import type { Connection } from './connection.js';

export interface CliContext {
  readonly paths: TendPaths;
  /** A connection that starts the daemon when none answers. */
  readonly api: Connection;
  /** A connection that never starts a daemon (daemon status/stop). */
  readonly apiNoStart: Connection;
}

export type Command = (args: string[], context: CliContext) => Promise<number>;
