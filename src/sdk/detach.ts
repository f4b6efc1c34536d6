import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { DETACHED_ENV, type DetachedSpec, REPORT_FD } from './detach-channel.js';
import { waitForReport } from './detach-report.js';
import { STAGE1_ENV, STAGE1_SOURCE, type StageSpec } from './detach-stage1.js';
import { DetachFailedError } from './errors.js';

export {
  type DetachChannel,
  getDetachChannelEnv,
  isDetachedCopy,
  takeDetachChannel,
} from './detach-channel.js';
export { DEFAULT_DETACH_READY_TIMEOUT_MS } from './detach-report.js';

// The classic daemon checklist without fork(), which Node lacks: re-execute.
//   original ──spawn, detached (setsid)──▶ stage 1 ──spawn──▶ stage 2 (the daemon)
// Stage 1 leads a new session with no controlling terminal; stage 2 is in that session but does not
// lead it, so it can never acquire a terminal again; stage 1 exits at once (its session has no
// leader left). Stage 1 is a few lines of inline code, not the user's script, so the script's top
// level runs once in the original process and once in the daemon. The umask is set in stage 1 and
// inherited; stdio is given to stage 2's spawn (Node cannot dup2 its own fds); stage 2 starts in the
// original directory, so that `--import tsx` and other relative loader flags still resolve, and
// changes to the requested one in `daemon.detach()`, before the pid file is taken. A pipe on
// fd 3 runs from both stages back to the original process, which waits for `ready` (or `error ...`,
// or `running <pid>` when the pid file belongs to a live copy) and then exits: so `node my-daemon.js start` returns once the daemon serves, or says why it failed.
// Stage 1's source is detach-stage1.ts; stage 2's end of the pipe, detach-channel.ts; the starting
// process's end, detach-report.ts.

export const DEFAULT_DETACH_CWD = '/';
export const DEFAULT_DETACH_UMASK = 0o022;

/**
 * How `daemon.detach()` sets up the background process.
 *
 * @example
 * await daemon.detach({ cwd: '/srv/news', umask: 0o027, stdout: 'logs/news.log', pidFile: '/tmp/news.pid' });
 */
export interface DetachOptions {
  /** Working directory of the daemon; default '/' (so it never holds a mount busy). */
  cwd?: string;
  /** Default 0o022. */
  umask?: number;
  /** File that stdout is appended to (relative to the current directory); default /dev/null. */
  stdout?: string;
  /** File that stderr is appended to; default: the stdout file, else /dev/null. */
  stderr?: string;
  /** Default: the daemon's `pidFile` option, else `$XDG_RUNTIME_DIR/<name>.pid` or the temporary directory. */
  pidFile?: string;
  /** Wait for `ready()` before the starting process exits (default true); false: exit once the daemon is spawned. */
  waitForReady?: boolean;
  /** How long the starting process waits for `ready()`; default 30 s. */
  readyTimeoutMs?: number;
}

/** What tend's CLI adds when it detaches its daemon (not part of the public toolkit). */
export interface SpawnDetachedExtras {
  /** Node's arguments for stage 2 (a script and its arguments) instead of this process's own. */
  argv?: readonly string[];
  /** An fd already open for stdout and stderr (the caller keeps and closes it); wins over `stdout`. */
  outputFd?: number;
}

/**
 * From the starting process: spawns the daemon in the background and resolves with its pid once it
 * is ready; rejects with DaemonAlreadyRunningError when a live copy holds the pid file, and with
 * DetachFailedError when it fails, exits first or stays silent too long.
 *
 * @example
 * const { pid } = await spawnDetached('news', '/tmp/news.pid', { stdout: '/var/log/news.log' });
 */
export async function spawnDetached(
  name: string,
  pidFile: string,
  options: DetachOptions & SpawnDetachedExtras,
): Promise<{ pid: number }> {
  if (!options.argv && !process.argv[1])
    throw new DetachFailedError(name, 'only a script file can be re-executed (not -e or a REPL)');
  const cwd = resolve(options.cwd ?? DEFAULT_DETACH_CWD);
  if (!isDirectory(cwd)) throw new DetachFailedError(name, `working directory "${cwd}" is not a directory`);
  const given = options.outputFd ?? null;
  const out = given ?? openOutput(name, options.stdout);
  const err = given ?? (options.stderr === undefined ? out : openOutput(name, options.stderr));
  const detached: DetachedSpec = { fd: REPORT_FD, cwd };
  const spec: StageSpec = {
    command: process.execPath,
    args: options.argv ? [...options.argv] : [...process.execArgv, ...process.argv.slice(1)],
    umask: options.umask ?? DEFAULT_DETACH_UMASK,
    detached: JSON.stringify(detached),
  };
  const stage1 = spawn(process.execPath, ['-e', STAGE1_SOURCE], {
    detached: true,
    stdio: ['ignore', out ?? 'ignore', err ?? 'ignore', 'pipe'],
    env: { ...withoutSupervisorEnv(process.env), [STAGE1_ENV]: JSON.stringify(spec) },
  });
  for (const fd of new Set([out, err])) if (fd !== null && fd !== given) closeSync(fd);
  stage1.on('error', () => {}); // reported as EOF on the pipe
  stage1.unref();
  return waitForReport(name, pidFile, stage1.stdio[REPORT_FD] as Readable, options);
}

function openOutput(name: string, path: string | undefined): number | null {
  if (path === undefined) return null;
  try {
    return openSync(resolve(path), 'a', 0o640);
  } catch (error) {
    throw new DetachFailedError(
      name,
      `cannot open ${path} for its output: ${(error as Error).message}`,
      error,
    );
  }
}

// A daemon that detaches is no longer the supervisor's main process: it must not speak for it.
function withoutSupervisorEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const key of ['NOTIFY_SOCKET', 'NOTIFY_FD', 'WATCHDOG_USEC', 'WATCHDOG_PID', DETACHED_ENV])
    delete copy[key];
  return copy;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
