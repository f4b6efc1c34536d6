import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { signalReaches } from '../proc/liveness.js';
import { getStartedAtMs, readProcStat, UNREADABLE } from '../proc/stat.js';
import { DaemonAlreadyRunningError } from './errors.js';

// The pid file is the lock: it is created with O_EXCL ('wx'), so of two starters exactly one gets it,
// with no native flock(). A file that already exists belongs to a live daemon only if its pid is alive,
// not a zombie, started before the file was written (else the pid was reused) and runs the same
// script. Otherwise it is stale and is replaced, under a second O_EXCL file (`<pid file>.lock`) so
// two starters that both found it stale cannot each delete the file the other has just created:
// the one holding `.lock` re-reads the file and deletes it only if it still names the dead pid.
// What is left: a starter that dies while holding `.lock` leaves it behind; it is removed when its
// own pid is dead or after STALE_BREAK_LOCK_MS, and that removal is itself a check-then-delete, so
// two more starters racing at that very moment could both proceed. Needing three coincidences, it
// is documented rather than closed (closing it takes flock(2), i.e. native code).

const ACQUIRE_ATTEMPTS = 200;
const RETRY_WAIT_MS = 10;
// An empty pid file this young is a starter between its create and its write: wait, do not steal.
const EMPTY_FILE_GRACE_MS = 1000;
const STALE_BREAK_LOCK_MS = 5000;
// Generous: btime drifts with clock adjustments; a pid reused within this window is still caught by the script check.
const START_TIME_TOLERANCE_MS = 5000;

/**
 * A held pid file; `release()` deletes it if it still names this process.
 *
 * @example
 * const lock = acquirePidFile('/run/user/1000/news.pid', { name: 'news' });
 * process.on('exit', () => lock.release());
 */
export interface PidFileLock {
  readonly path: string;
  readonly pid: number;
  release(): void;
}

export interface PidFileOptions {
  /** The daemon's name, for the error message. */
  name: string;
  /** A live owner must have this script (a file name) in its command line; default: this process's script. */
  script?: string;
}

/**
 * What a pid file says: a live daemon, a dead one (stale file; pid null when unreadable), or nothing.
 *
 * @example
 * const status: PidFileStatus = getPidFileStatus('/tmp/news.pid'); // { state: 'dead', pid: 4121 }
 */
export type PidFileStatus =
  | { state: 'running'; pid: number }
  | { state: 'dead'; pid: number | null }
  | { state: 'absent' };

/**
 * Takes the pid file for this process or throws DaemonAlreadyRunningError; a stale file is replaced.
 *
 * @example
 * try {
 *   acquirePidFile('/tmp/news.pid', { name: 'news' });
 * } catch (error) {
 *   if (error instanceof DaemonAlreadyRunningError) console.error(error.message); // ... already running (pid 4121, ...)
 * }
 */
export function acquirePidFile(path: string, options: PidFileOptions): PidFileLock {
  const script = options.script ?? getOwnScript();
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
    if (tryCreate(path, process.pid)) return createLock(path);
    const status = getPidFileStatus(path, script);
    if (status.state === 'absent') continue;
    if (status.state === 'running') {
      if (status.pid === process.pid) return createLock(path);
      throw new DaemonAlreadyRunningError(options.name, status.pid, path);
    }
    if (status.pid === null && getAgeMs(path) < EMPTY_FILE_GRACE_MS) {
      sleepSync(RETRY_WAIT_MS);
      continue;
    }
    if (!removeStale(path, status.pid, script)) sleepSync(RETRY_WAIT_MS);
  }
  throw new Error(`Could not take the pid file ${path}: other starters kept changing it`);
}

/**
 * Reads a pid file and says whether its process is alive and the same program.
 *
 * @example
 * const status = getPidFileStatus('/tmp/news.pid');
 * if (status.state === 'running') process.kill(status.pid, 'SIGHUP');
 */
export function getPidFileStatus(path: string, script: string = getOwnScript()): PidFileStatus {
  let text: string;
  let writtenAtMs: number;
  try {
    writtenAtMs = statSync(path).mtimeMs;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    throw error;
  }
  const pid = parsePid(text);
  if (pid === null) return { state: 'dead', pid: null };
  return isSameProgramAlive(pid, writtenAtMs, script) ? { state: 'running', pid } : { state: 'dead', pid };
}

/**
 * Alive (signal 0 reaches it, not a zombie) and, where /proc exists, started before `writtenAtMs`
 * and running `script`: the checks that tell our daemon from a process that reused its pid.
 *
 * @example
 * isSameProgramAlive(4121, statSync('/tmp/news.pid').mtimeMs, 'news.js');
 */
export function isSameProgramAlive(pid: number, writtenAtMs: number, script: string | null): boolean {
  if (pid === process.pid) return true;
  if (!signalReaches(pid)) return false;
  const stat = readProcStat(pid);
  if (stat === null) return false; // gone meanwhile, or a zombie
  if (stat === UNREADABLE) return true; // no /proc (or not readable now): signal 0 is all we can know
  if (getStartedAtMs(stat.startTime) > writtenAtMs + START_TIME_TOLERANCE_MS) return false;
  if (!script) return true;
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.some((arg) => basename(arg) === script);
  } catch {
    return true;
  }
}

/**
 * Alive means signal 0 reaches it and it is not a zombie (a zombie has finished; only its status waits).
 *
 * @example
 * while (isProcessAlive(pid)) await sleep(50);
 */
export function isProcessAlive(pid: number): boolean {
  return isSameProgramAlive(pid, Number.POSITIVE_INFINITY, null);
}

/**
 * The pid a pid file names, or null (no file, or not a pid).
 *
 * @example
 * const pid = readPidFile('/tmp/news.pid');
 */
export function readPidFile(path: string): number | null {
  try {
    return parsePid(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

export function parsePid(text: string): number | null {
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 && String(pid) === text.trim() ? pid : null;
}

/**
 * Deletes the file only when it names `pid` (default: this process), so a successor's file is never removed.
 *
 * @example
 * process.on('exit', () => removePidFile('/tmp/news.pid'));
 */
export function removePidFile(path: string, pid: number = process.pid): void {
  if (readPidFile(path) === pid) unlinkQuietly(path);
}

function getOwnScript(): string {
  return basename(process.argv[1] ?? process.argv0);
}

function createLock(path: string): PidFileLock {
  const pid = process.pid;
  return { path, pid, release: () => removePidFile(path, pid) };
}

function tryCreate(path: string, pid: number): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${pid}\n`);
  } catch (error) {
    // A full disk: an empty file left behind would make every later start wait for it.
    closeSync(fd);
    unlinkQuietly(path);
    throw error;
  }
  closeSync(fd);
  return true;
}

/** Deletes the stale pid file under `.lock`; false when another starter holds `.lock`. */
function removeStale(path: string, stalePid: number | null, script: string): boolean {
  const breakLock = `${path}.lock`;
  if (!tryCreate(breakLock, process.pid)) {
    const holder = getPidFileStatus(breakLock, script);
    const holderDied = holder.state === 'dead' && holder.pid !== null;
    if (holderDied || getAgeMs(breakLock) > STALE_BREAK_LOCK_MS) unlinkQuietly(breakLock);
    return false;
  }
  try {
    const now = getPidFileStatus(path, script);
    if (now.state === 'dead' && now.pid === stalePid) unlinkQuietly(path);
  } finally {
    unlinkQuietly(breakLock);
  }
  return true;
}

function getAgeMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
