import { execFileSync } from 'node:child_process';
import { closeSync, constants, fstatSync, lstatSync, openSync, statSync, unlinkSync } from 'node:fs';
import { getNativeHelper } from '../native.js';

// libuv opens every fd with O_CLOEXEC, so no FIFO end leaks into an unrelated child.
// Each program writes into FIFOs that live in TEND_HOME. The child holds them open read-write, so it
// never sees EPIPE and the kernel keeps its output buffered while no daemon is reading; the next
// daemon opens the same FIFO and reads on. They live in TEND_HOME/fifo (checked at start: this uid's,
// 0700, no symlink); each open still refuses a symlink and anything but a FIFO.

export function isFifo(path: string): boolean {
  try {
    return lstatSync(path).isFIFO();
  } catch {
    return false;
  }
}

/**
 * A FIFO's kernel buffer: room for output written while no daemon reads, and fewer wake-ups per
 * megabyte. 256 KB × 2 streams × 100 programs stays under Linux's default per-user soft limit for
 * pipe memory (64 MB), past which the kernel would quietly shrink new pipes to one page.
 */
export const FIFO_BUFFER_BYTES = 256 * 1024;

/** Creates the FIFOs that do not exist yet: mkfifo(3) through the native helper, else one `mkfifo` run. */
export function ensureFifos(paths: readonly string[]): void {
  const missing = paths.filter((path) => !isFifo(path));
  if (missing.length === 0) return;
  for (const path of missing) removeQuietly(path);
  const native = getNativeHelper();
  if (native) for (const path of missing) native.mkfifo(path, 0o600);
  else execFileSync('mkfifo', ['-m', '600', ...missing], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The write end handed to a child: read-write, so opening never blocks and writing never fails with EPIPE. */
export function openFifoForChild(path: string): number {
  const fd = openFifo(path, constants.O_RDWR);
  try {
    getNativeHelper()?.setPipeSize(fd, FIFO_BUFFER_BYTES);
  } catch {
    // over the user's pipe-memory limit: the default 64 KB buffer still works
  }
  return fd;
}

/** The daemon's read end: non-blocking, so it sees EOF once every writer (the program's whole tree) is gone. */
export function openFifoForReading(path: string): number {
  return openFifo(path, constants.O_RDONLY | constants.O_NONBLOCK);
}

function openFifo(path: string, flags: number): number {
  const fd = openSync(path, flags | constants.O_NOFOLLOW);
  if (fstatSync(fd).isFIFO()) return fd;
  closeSync(fd);
  throw Object.assign(new Error(`${path} is not a FIFO`), { code: 'EINVAL' });
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * A FIFO removed (or replaced) under a running program: the program still writes into the pipe it
 * holds as `childFd` (1 or 2), which the path no longer names. The daemon reaches that pipe through
 * /proc/PID/fd/N instead. Returns an fd open on it for reading, 'same' when the path is still the
 * program's FIFO, or 'lost' when neither can be read (not Linux, or the program's fd is no pipe).
 */
export function openProgramPipe(path: string, pid: number, childFd: 1 | 2): number | 'same' | 'lost' {
  const held = `/proc/${pid}/fd/${childFd}`;
  let target: { ino: number; dev: number };
  try {
    const stat = statSync(held);
    if (!stat.isFIFO()) return isFifo(path) ? 'same' : 'lost';
    target = stat;
  } catch {
    return isFifo(path) ? 'same' : 'lost';
  }
  try {
    const stat = lstatSync(path);
    if (stat.isFIFO() && stat.ino === target.ino && stat.dev === target.dev) return 'same';
  } catch {
    // removed: read through /proc
  }
  let fd: number;
  try {
    fd = openSync(held, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return 'lost';
  }
  const opened = fstatSync(fd);
  if (opened.isFIFO() && opened.ino === target.ino && opened.dev === target.dev) return fd;
  closeSync(fd);
  return 'lost';
}
