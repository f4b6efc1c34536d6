import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { compressInBackground, getRotatedName, pruneRotated } from './rotation.js';

// An append-only log file written synchronously: a chunk read from the program is on its way to the
// disk before the next one is read, so a daemon killed at any moment holds no unwritten output.
// It rotates by size at a line boundary (a line is never split across files), and a write that
// fails (disk full, directory removed) is counted and reported, never thrown at the caller; the next
// write tries again, so the file recovers by itself when the cause goes away.

const DELETED_CHECK_INTERVAL_MS = 1000;
const NEWLINE = 0x0a;

export interface RotationPolicy {
  /** 0 disables rotation by size. */
  readonly maxSizeBytes: number;
  readonly keep: number;
  readonly compress: boolean;
}

export interface LogFault {
  readonly path: string;
  readonly error: NodeJS.ErrnoException;
  readonly droppedBytes: number;
}

export interface LogFileHooks {
  onFault(fault: LogFault): void;
  onRecover(path: string, droppedBytes: number): void;
}

export const NO_ROTATION: RotationPolicy = { maxSizeBytes: 0, keep: 0, compress: false };

export class LogFile {
  readonly path: string;
  #policy: RotationPolicy;
  #hooks: LogFileHooks;
  #fd: number | null = null;
  #size = 0;
  /** Whether the file ends with a newline (or is empty): only there may it rotate. */
  #endsLine = true;
  #regular = true;
  #droppedBytes = 0;
  #faulted = false;
  #lastDeletedCheck = 0;

  constructor(path: string, policy: RotationPolicy, hooks: LogFileHooks) {
    this.path = path;
    this.#policy = policy;
    this.#hooks = hooks;
  }

  get droppedBytes(): number {
    return this.#droppedBytes;
  }

  get faulted(): boolean {
    return this.#faulted;
  }

  write(chunk: Uint8Array): void {
    try {
      const fd = this.#open();
      const limit = this.#policy.maxSizeBytes;
      if (limit > 0 && this.#regular && this.#size + chunk.length > limit) {
        this.#writeAcrossRotation(chunk);
      } else {
        this.#writeAll(fd, chunk, 0, chunk.length);
      }
      if (this.#faulted) {
        this.#faulted = false;
        this.#hooks.onRecover(this.path, this.#droppedBytes);
      }
    } catch (error) {
      this.#droppedBytes += chunk.length;
      this.close();
      if (!this.#faulted) {
        this.#faulted = true;
        this.#hooks.onFault({
          path: this.path,
          error: error as NodeJS.ErrnoException,
          droppedBytes: this.#droppedBytes,
        });
      }
    }
  }

  /** Starts a new file now (daily rotation, or on request), if the current one has anything in it. */
  rotate(): void {
    if (this.#fd === null) {
      try {
        if (statSync(this.path).size === 0) return;
      } catch {
        return;
      }
    } else if (this.#size === 0) {
      return;
    }
    this.close();
    this.#moveAside();
  }

  close(): void {
    if (this.#fd === null) return;
    try {
      closeSync(this.#fd);
    } catch {
      // nothing left to do with a broken fd
    }
    this.#fd = null;
  }

  /** Forgets the open file so the next write opens the path again (after a flush or an external move). */
  reopen(): void {
    this.close();
  }

  /**
   * Writes what fits up to the last newline within the limit, rotates, and goes on with the rest.
   * A line is never split: one that started in the current file (a chunk may end mid-line) is
   * finished there, and one longer than the limit gets a file of its own, even if over the limit.
   */
  #writeAcrossRotation(chunk: Uint8Array): void {
    const limit = this.#policy.maxSizeBytes;
    let start = 0;
    while (start < chunk.length) {
      const remaining = chunk.length - start;
      if (this.#size + remaining <= limit) {
        this.#writeAll(this.#open(), chunk, start, chunk.length);
        return;
      }
      const room = limit - this.#size;
      let cut = room > 0 ? chunk.lastIndexOf(NEWLINE, start + room - 1) + 1 : 0;
      if (cut <= start) {
        if (this.#size > 0 && this.#endsLine) {
          this.#rotateNow();
          continue;
        }
        cut = chunk.indexOf(NEWLINE, start) + 1;
        if (cut === 0) {
          this.#writeAll(this.#open(), chunk, start, chunk.length);
          return;
        }
      }
      this.#writeAll(this.#open(), chunk, start, cut);
      start = cut;
      if (start < chunk.length) this.#rotateNow();
    }
  }

  #rotateNow(): void {
    this.close();
    this.#moveAside();
    this.#size = 0;
  }

  #moveAside(): void {
    const rotated = getRotatedName(this.path, new Date());
    renameSync(this.path, rotated);
    if (this.#policy.compress)
      compressInBackground(rotated, () => pruneRotated(this.path, this.#policy.keep));
    else pruneRotated(this.path, this.#policy.keep);
  }

  #writeAll(fd: number, chunk: Uint8Array, from: number, to: number): void {
    let offset = from;
    while (offset < to) offset += writeSync(fd, chunk, offset, to - offset);
    this.#size += to - from;
    if (to > from) this.#endsLine = chunk[to - 1] === NEWLINE;
  }

  #open(): number {
    if (this.#fd !== null && this.#regular) this.#checkDeleted();
    if (this.#fd === null) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      const fd = openSync(this.path, 'a', 0o600);
      const stat = fstatSync(fd);
      this.#fd = fd;
      this.#regular = stat.isFile();
      this.#size = this.#regular ? stat.size : 0;
      this.#endsLine = this.#size === 0 || endsWithNewline(this.path, this.#size);
    }
    return this.#fd;
  }

  /** A file deleted under us (or its directory) would swallow writes silently: report it, reopen the path. */
  #checkDeleted(): void {
    const now = Date.now();
    if (now - this.#lastDeletedCheck < DELETED_CHECK_INTERVAL_MS || this.#fd === null) return;
    this.#lastDeletedCheck = now;
    if (fstatSync(this.#fd).nlink > 0) return;
    this.close();
    // The write that follows re-creates the file and reports the recovery.
    this.#faulted = true;
    const error: NodeJS.ErrnoException = Object.assign(new Error(`${this.path} was deleted`), {
      code: 'ENOENT',
    });
    this.#hooks.onFault({ path: this.path, error, droppedBytes: this.#droppedBytes });
  }
}

function endsWithNewline(path: string, size: number): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      return last[0] === NEWLINE;
    } finally {
      closeSync(fd);
    }
  } catch {
    return true;
  }
}
