import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PipeDrainHelper } from '../native.js';
import {
  compressInBackground,
  getRotatedName,
  listRotated,
  pruneRotated,
  recoverCompression,
} from './rotation.js';
import { openInDirectory, openSafeDirectory, type SafeDirectory } from './safe-path.js';

// An append-only log file written synchronously: a chunk read from the program is on its way to the
// disk before the next one is read, so a daemon killed at any moment holds no unwritten output.
// It rotates by size at a line boundary (a line is never split across files), and a write that
// fails (disk full, directory removed) is counted and reported, never thrown at the caller; the next
// write tries again, so the file recovers by itself when the cause goes away.
//
// With a pipe drain (Linux), bytes go from the program's FIFO into the file by splice(2) and never
// pass through the daemon's memory: a daemon killed at any instant leaves each byte either in the
// file or still in the FIFO, for the next daemon. They move blind (spliceBlind) until a rotation is
// due; then the caller peeks at them first (tee, spliceFrom) so the file rotates at a line end.
//
// The file is never reached through a symlink another user could plant (safe-path.ts): its directory
// is reached once, when the file is opened, and every later step (rotation, pruning, compression,
// flush) goes through that same directory. Nothing of this is done per chunk.

const DELETED_CHECK_INTERVAL_MS = 1000;
const NEWLINE = 0x0a;
/**
 * How far past maxSize a file may grow to finish a line. A longer line is cut there (line-mode
 * capture cuts lines at the same length), or output that never writes a newline would grow one
 * file without end.
 */
export const LINE_OVERRUN_BYTES = 64 * 1024;

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

const DISCARD = Buffer.allocUnsafe(64 * 1024);
// splice(2) refuses a file opened O_APPEND; it writes at the file's size instead.
const SPLICE_FLAGS = constants.O_WRONLY | constants.O_CREAT;
const APPEND_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;

export class LogFile {
  readonly path: string;
  #policy: RotationPolicy;
  #hooks: LogFileHooks;
  #fd: number | null = null;
  /** The file's directory as reached safely; held while the file is open or being rotated. */
  #dir: SafeDirectory | null = null;
  #size = 0;
  /** Whether the file ends with a newline (or is empty): only there may it rotate. null: not known yet. */
  #endsLine: boolean | null = true;
  #regular = true;
  /** The fd was opened for splice (no O_APPEND): every copy must say where it goes, as splice does. */
  #positioned = false;
  #droppedBytes = 0;
  #faulted = false;
  /** The error code last reported: a fault whose cause changes (deleted, then refused) is told again. */
  #faultCode: string | undefined;
  #lastDeletedCheck = 0;
  #drain: PipeDrainHelper | null;
  /** Bytes of the chunk being written that are already in the file: what a fault does not drop. */
  #taken = 0;
  #leftoversChecked = false;
  /** Told after every write, rotation or flush: `tend logs -f` reads the file on from where it was. */
  #watchers = new Set<() => void>();

  constructor(
    path: string,
    policy: RotationPolicy,
    hooks: LogFileHooks,
    drain: PipeDrainHelper | null = null,
  ) {
    this.path = path;
    this.#policy = policy;
    this.#hooks = hooks;
    this.#drain = drain;
  }

  get droppedBytes(): number {
    return this.#droppedBytes;
  }

  get faulted(): boolean {
    return this.#faulted;
  }

  write(chunk: Uint8Array): void {
    this.#writeChunk(chunk, null);
    this.#notify();
  }

  /** Calls `listener` after each write, rotation and flush until the returned function is called. */
  watch(listener: () => void): () => void {
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  #notify(): void {
    for (const listener of this.#watchers) listener();
  }

  /**
   * Moves the `chunk.length` bytes at the head of pipe `source` into the file; `chunk` is a copy of
   * them (from peekPipe) that says where lines end. Faults are handled as for `write`.
   */
  spliceFrom(source: number, chunk: Uint8Array): void {
    this.#writeChunk(chunk, source);
    this.#notify();
  }

  /** `source`: the pipe the bytes are still in (they are moved out of it), or null: they are only in `chunk`. */
  #writeChunk(chunk: Uint8Array, source: number | null): void {
    this.#taken = 0;
    try {
      const fd = this.#open();
      const limit = this.#policy.maxSizeBytes;
      if (limit > 0 && this.#regular && this.#size + chunk.length > limit) {
        this.#writeAcrossRotation(chunk, source);
      } else {
        this.#writeAll(fd, chunk, 0, chunk.length, source);
      }
      this.#recovered();
    } catch (error) {
      this.#fail(error as NodeJS.ErrnoException, chunk.length - this.#taken, source);
    }
  }

  #fail(error: NodeJS.ErrnoException, dropped: number, source: number | null): void {
    this.#droppedBytes += dropped;
    // What could not go into the file must still leave the FIFO, or it would block the program.
    if (source !== null) discardFromPipe(source, dropped);
    this.close();
    if (!this.#faulted || error.code !== this.#faultCode) {
      this.#faulted = true;
      this.#faultCode = error.code;
      this.#hooks.onFault({ path: this.path, error, droppedBytes: this.#droppedBytes });
    }
  }

  #recovered(): void {
    if (!this.#faulted) return;
    this.#faulted = false;
    this.#hooks.onRecover(this.path, this.#droppedBytes);
  }

  /**
   * The zero-copy path: moves `length` bytes from pipe `source` into the file without looking at
   * them. Returns false, having done nothing, when the file would reach its size limit within them:
   * the caller then peeks at them and uses `spliceFrom`, which rotates at a line end.
   */
  spliceBlind(source: number, length: number): boolean {
    const drain = this.#drain;
    if (!drain) return false;
    this.#taken = 0;
    try {
      const fd = this.#open();
      const limit = this.#policy.maxSizeBytes;
      if (limit > 0 && this.#regular && this.#size + length > limit) return false;
      this.#spliceAll(drain, source, fd, length);
      this.#size += length;
      if (length > 0) this.#endsLine = null;
      this.#recovered();
    } catch (error) {
      this.#fail(error as NodeJS.ErrnoException, length - this.#taken, source);
    }
    this.#notify();
    return true;
  }

  /** Starts a new file now (daily rotation, or on request), if the current one has anything in it. */
  rotate(): void {
    try {
      if (this.#fd === null) {
        if (lstatSync(this.#getFsPath()).size === 0) return;
      } else if (this.#size === 0) {
        return;
      }
      this.#closeFile();
      this.#moveAside();
    } catch {
      // nothing there to rotate (or it cannot be reached): the next write reports it
    }
    this.#notify();
  }

  /** Empties the file and deletes its rotated ones (`tend flush`), through the same safe directory. */
  flush(): boolean {
    let emptied = false;
    try {
      const fsPath = this.#getFsPath();
      const fd = openInDirectory(this.#getDir(), basename(this.path), constants.O_WRONLY);
      try {
        if (fstatSync(fd).isFile()) ftruncateSync(fd, 0);
        emptied = true;
      } finally {
        closeSync(fd);
      }
      for (const rotated of listRotated(fsPath)) unlinkQuietly(rotated.path);
    } catch {
      // nothing written yet, or not reachable safely
    }
    this.reopen();
    this.#notify();
    return emptied;
  }

  close(): void {
    this.#closeFile();
    this.#dir?.release();
    this.#dir = null;
  }

  #closeFile(): void {
    if (this.#fd === null) return;
    try {
      closeSync(this.#fd);
    } catch {
      // nothing left to do with a broken fd
    }
    this.#fd = null;
  }

  /**
   * Closes the file and opens its path again (after a flush emptied it, or it was moved away), so its
   * size and line end are read afresh. A file that is not open stays closed: the next write opens it.
   */
  reopen(): void {
    const wasOpen = this.#fd !== null;
    this.close();
    if (!wasOpen) return;
    try {
      this.#open();
      this.#recovered();
    } catch (error) {
      this.#fail(error as NodeJS.ErrnoException, 0, null);
    }
  }

  /**
   * Writes what fits up to the last newline within the limit, rotates, and goes on with the rest.
   * A line is not split: one that started in the current file (a chunk may end mid-line) is
   * finished there, and one longer than the limit gets a file of its own, even if over the limit;
   * but no file grows past the limit by more than LINE_OVERRUN_BYTES: there the line is cut.
   */
  #writeAcrossRotation(chunk: Uint8Array, source: number | null): void {
    const limit = this.#policy.maxSizeBytes;
    let start = 0;
    while (start < chunk.length) {
      const remaining = chunk.length - start;
      if (this.#size + remaining <= limit) {
        this.#writeAll(this.#open(), chunk, start, chunk.length, source);
        return;
      }
      const room = limit - this.#size;
      let cut = room > 0 ? chunk.lastIndexOf(NEWLINE, start + room - 1) + 1 : 0;
      if (cut <= start) {
        if (this.#size > 0 && this.#isAtLineEnd()) {
          this.#rotateNow();
          continue;
        }
        cut = chunk.indexOf(NEWLINE, start) + 1;
        const furthest = start + limit + LINE_OVERRUN_BYTES - this.#size;
        if (cut === 0 && chunk.length <= furthest) {
          this.#writeAll(this.#open(), chunk, start, chunk.length, source);
          return;
        }
        if (cut === 0 || cut > furthest) {
          // Past the overrun with no newline: cut the line here (at once if the file is that full).
          if (furthest > start) this.#writeAll(this.#open(), chunk, start, furthest, source);
          start = Math.max(start, furthest);
          this.#rotateNow();
          continue;
        }
      }
      this.#writeAll(this.#open(), chunk, start, cut, source);
      start = cut;
      if (start < chunk.length) this.#rotateNow();
    }
  }

  #isAtLineEnd(): boolean {
    this.#endsLine ??= endsWithNewline(this.#getFsPath(), this.#size);
    return this.#endsLine;
  }

  #rotateNow(): void {
    this.#closeFile();
    this.#moveAside();
    this.#size = 0;
  }

  #getDir(): SafeDirectory {
    this.#dir ??= openSafeDirectory(dirname(this.path), { create: true });
    return this.#dir;
  }

  /** The path the file system calls use: through the safe directory, never `path` itself. */
  #getFsPath(): string {
    return join(this.#getDir().path, basename(this.path));
  }

  #moveAside(): void {
    const dir = this.#getDir();
    const fsPath = this.#getFsPath();
    const rotated = getRotatedName(fsPath, new Date());
    renameSync(fsPath, rotated);
    if (this.#policy.compress)
      compressInBackground(rotated, () => pruneRotated(fsPath, this.#policy.keep), dir);
    else pruneRotated(fsPath, this.#policy.keep);
  }

  /** Bytes `from`..`to` of the chunk into the file: spliced out of `source` where it can, else copied. */
  #writeAll(fd: number, chunk: Uint8Array, from: number, to: number, source: number | null): void {
    if (source !== null && this.#drain) this.#spliceAll(this.#drain, source, fd, to - from);
    else {
      // Bytes peeked from a pipe that cannot be spliced: take them out, then write the copy.
      if (source !== null) discardFromPipe(source, to - from);
      this.#copyToFile(fd, chunk, from, to);
    }
    this.#size += to - from;
    if (to > from) this.#endsLine = chunk[to - 1] === NEWLINE;
  }

  #spliceAll(drain: PipeDrainHelper, source: number, fd: number, length: number): void {
    let moved = 0;
    try {
      while (moved < length) {
        const step = drain.spliceToFile(source, fd, length - moved);
        moved += step;
        this.#taken += step;
      }
    } catch (error) {
      // A file system without splice support: copy from now on (the file stays opened without O_APPEND).
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL' || moved > 0) throw error;
      const copy = Buffer.allocUnsafe(length);
      discardFromPipe(source, length, copy);
      this.#copyToFile(fd, copy, 0, length);
      this.#drain = null;
    }
  }

  /**
   * The one writeSync loop. A file opened for splice (no O_APPEND) is written at its size, as splice
   * does; one opened O_APPEND at its end.
   */
  #copyToFile(fd: number, bytes: Uint8Array, from: number, to: number): void {
    const position = this.#positioned && this.#regular ? this.#size - from : null;
    for (let offset = from; offset < to; ) {
      const written = writeSync(fd, bytes, offset, to - offset, position === null ? null : position + offset);
      offset += written;
      this.#taken += written;
    }
  }

  #open(): number {
    if (this.#fd !== null && this.#regular) this.#checkDeleted();
    if (this.#fd === null) {
      const dir = this.#getDir();
      const fsPath = this.#getFsPath();
      if (!this.#leftoversChecked) {
        this.#leftoversChecked = true;
        recoverCompression(fsPath, this.#policy.compress, () => pruneRotated(fsPath, this.#policy.keep), dir);
      }
      const fd = openInDirectory(dir, basename(this.path), this.#drain ? SPLICE_FLAGS : APPEND_FLAGS);
      this.#positioned = this.#drain !== null;
      const stat = fstatSync(fd);
      this.#fd = fd;
      this.#regular = stat.isFile();
      this.#size = this.#regular ? stat.size : 0;
      this.#endsLine = this.#size === 0 || endsWithNewline(fsPath, this.#size);
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
    this.#faultCode = 'ENOENT';
    const error: NodeJS.ErrnoException = Object.assign(new Error(`${this.path} was deleted`), {
      code: 'ENOENT',
    });
    this.#hooks.onFault({ path: this.path, error, droppedBytes: this.#droppedBytes });
  }
}

/** Takes `length` bytes out of a pipe (into `into` when given), e.g. the ones a full disk could not take. */
function discardFromPipe(source: number, length: number, into?: Buffer): void {
  let done = 0;
  while (done < length) {
    const target = into ?? DISCARD;
    const offset = into ? done : 0;
    let got: number;
    try {
      got = readSync(source, target, offset, Math.min(length - done, target.length - offset), null);
    } catch {
      return;
    }
    if (got <= 0) return;
    done += got;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}

function endsWithNewline(path: string, size: number): boolean {
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
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
