import { closeSync, writeSync } from 'node:fs';
import { DaemonAlreadyRunningError } from './errors.js';

// Stage 2's line back to the starting process (the two-stage detach is described in detach.ts): the
// environment variable that names its fd and the requested working directory, and the one line that
// stage 2 writes there: `ready`, `error ...` or `running <pid>`.

export const DETACHED_ENV = 'TEND_DAEMON_DETACHED';
export const REPORT_FD = 3;

/** Stage 2's line back to the starting process. */
export interface DetachChannel {
  /** The working directory the starting process asked for. */
  readonly cwd: string;
  ready(): void;
  /** Reports why the daemon cannot start; a DaemonAlreadyRunningError keeps its meaning. */
  fail(error: unknown): void;
}

export interface DetachedSpec {
  fd: number;
  cwd: string;
}

/**
 * The environment that hands a child the line back on `fd` (what stage 2 reads with
 * `takeDetachChannel`); tend's daemon also uses it to hear from its successor.
 *
 * @example
 * spawn(process.execPath, [script], { stdio: ['ignore', 1, 2, 'pipe'], env: { ...process.env, ...getDetachChannelEnv(3, '/') } });
 */
export function getDetachChannelEnv(fd: number, cwd: string): Record<string, string> {
  const spec: DetachedSpec = { fd, cwd };
  return { [DETACHED_ENV]: JSON.stringify(spec) };
}

/**
 * True in stage 2, the detached daemon itself, until `takeDetachChannel` ran.
 *
 * @example
 * if (!isDetachedCopy()) console.log('starting in the background');
 */
export function isDetachedCopy(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env[DETACHED_ENV]);
}

/**
 * In stage 2, takes the line back to the starting process out of the environment; null elsewhere.
 *
 * @example
 * const channel = takeDetachChannel();
 * if (channel) channel.ready();
 */
export function takeDetachChannel(env: NodeJS.ProcessEnv = process.env): DetachChannel | null {
  const text = env[DETACHED_ENV];
  if (!text) return null;
  delete env[DETACHED_ENV];
  const { fd, cwd } = JSON.parse(text) as DetachedSpec;
  let open = true;
  const say = (line: string) => {
    if (!open) return;
    open = false;
    try {
      writeSync(fd, `${line}\n`);
      closeSync(fd);
    } catch {
      // the starting process gave up waiting
    }
  };
  return {
    cwd,
    ready: () => say('ready'),
    fail: (error) =>
      say(
        error instanceof DaemonAlreadyRunningError
          ? `running ${error.pid}`
          : `error ${(error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ')}`,
      ),
  };
}
