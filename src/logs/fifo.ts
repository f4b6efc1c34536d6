import { execFileSync } from 'node:child_process';
import { constants, lstatSync, openSync, unlinkSync } from 'node:fs';

// libuv opens every fd with O_CLOEXEC, so no FIFO end leaks into an unrelated child.
// Each program writes into FIFOs that live in TEND_HOME. The child holds them open read-write, so it
// never sees EPIPE and the kernel keeps its output buffered while no daemon is reading; the next
// daemon opens the same FIFO and reads on.

export function isFifo(path: string): boolean {
  try {
    return lstatSync(path).isFIFO();
  } catch {
    return false;
  }
}

/** Creates the FIFOs that do not exist yet (Node has no mkfifo, so one `mkfifo` call makes them all). */
export function ensureFifos(paths: readonly string[]): void {
  const missing = paths.filter((path) => !isFifo(path));
  if (missing.length === 0) return;
  for (const path of missing) removeQuietly(path);
  execFileSync('mkfifo', ['-m', '600', ...missing], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The write end handed to a child: read-write, so opening never blocks and writing never fails with EPIPE. */
export function openFifoForChild(path: string): number {
  return openSync(path, constants.O_RDWR);
}

/** The daemon's read end: non-blocking, so it sees EOF once every writer (the program's whole tree) is gone. */
export function openFifoForReading(path: string): number {
  return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
