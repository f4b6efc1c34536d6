import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { DaemonAlreadyRunningError, DetachFailedError } from './errors.js';

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

export const DEFAULT_DETACH_CWD = '/';
export const DEFAULT_DETACH_UMASK = 0o022;
export const DEFAULT_DETACH_READY_TIMEOUT_MS = 30_000;
const STAGE1_ENV = 'TEND_DAEMON_STAGE1';
const DETACHED_ENV = 'TEND_DAEMON_DETACHED';
const REPORT_FD = 3;

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

/** Stage 2's line back to the starting process. */
export interface DetachChannel {
  /** The working directory the starting process asked for. */
  readonly cwd: string;
  ready(): void;
  /** Reports why the daemon cannot start; a DaemonAlreadyRunningError keeps its meaning. */
  fail(error: unknown): void;
}

interface StageSpec {
  command: string;
  args: string[];
  umask: number;
  /** What stage 2 finds in its environment: where to report, where to go. */
  detached: string;
}

interface DetachedSpec {
  fd: number;
  cwd: string;
}

// Stage 1 (CommonJS for `node -e`): close the fds inherited from outside, set the umask, spawn
// stage 2, report its pid on fd 3, exit. Node opens all its own fds close-on-exec, so on Linux an fd
// above 3 without O_CLOEXEC (0o2000000 in /proc/self/fdinfo) came from whoever started us: a
// daemon must not hold it (an SSH session or a pipeline would wait for it to close).
const STAGE1_SOURCE = `
const { spawn } = require('node:child_process');
const { closeSync, readdirSync, readFileSync, writeSync } = require('node:fs');
const spec = JSON.parse(process.env.${STAGE1_ENV});
delete process.env.${STAGE1_ENV};
const say = (line) => { try { writeSync(${REPORT_FD}, line + '\\n'); } catch {} };
try {
  for (const name of readdirSync('/proc/self/fd')) {
    if (Number(name) <= ${REPORT_FD}) continue;
    try {
      const flags = /flags:\\s+(\\d+)/.exec(readFileSync('/proc/self/fdinfo/' + name, 'utf8'));
      if (flags && (parseInt(flags[1], 8) & 0o2000000) === 0) closeSync(Number(name));
    } catch {}
  }
} catch {}
process.umask(spec.umask);
const child = spawn(spec.command, spec.args, {
  stdio: ['ignore', 1, 2, ${REPORT_FD}],
  env: { ...process.env, ${DETACHED_ENV}: spec.detached },
});
child.on('spawn', () => { say('pid ' + child.pid); process.exit(0); });
child.on('error', (error) => { say('error ' + error.message); process.exit(1); });
`;

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

function waitForReport(
  name: string,
  pidFile: string,
  report: Readable,
  options: DetachOptions,
): Promise<{ pid: number }> {
  const timeoutMs = options.readyTimeoutMs ?? DEFAULT_DETACH_READY_TIMEOUT_MS;
  const waitForReady = options.waitForReady ?? true;
  return new Promise((resolvePid, reject) => {
    let pid: number | null = null;
    let buffered = '';
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      report.destroy();
      if (error) reject(error);
      else resolvePid({ pid: pid ?? 0 });
    };
    const timer = setTimeout(() => {
      const which = pid === null ? '' : ` (pid ${pid} may still be starting)`;
      finish(new DetachFailedError(name, `it did not report ready within ${timeoutMs} ms${which}`));
    }, timeoutMs);
    report.setEncoding('utf8');
    report.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        if (line.startsWith('pid ')) pid = Number(line.slice(4));
        if (line.startsWith('error ')) return finish(new DetachFailedError(name, line.slice(6)));
        if (line.startsWith('running ')) {
          return finish(new DaemonAlreadyRunningError(name, Number(line.slice(8)), pidFile));
        }
        if (line === 'ready' || (line.startsWith('pid ') && !waitForReady)) return finish(null);
      }
    });
    const log = options.stderr ?? options.stdout;
    const where = log
      ? `see ${log}`
      : 'its output went to /dev/null: set the detach option stderr to keep it';
    report.on('end', () => finish(new DetachFailedError(name, `it exited before it was ready (${where})`)));
    report.on('error', (error) => finish(new DetachFailedError(name, error.message, error)));
  });
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
