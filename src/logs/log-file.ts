import type { PipeDrainHelper } from '../native.js';
import { ChunkWriter, discardFromPipe } from './chunk-writer.js';
import { writeAcrossRotation } from './line-rotation.js';
import { LogFileHandle } from './log-file-handle.js';
import type { RotationPolicy } from './rotation.js';

// An append-only log file written synchronously: a chunk read from the program is on its way to the
// disk before the next one is read, so a daemon killed at any moment holds no unwritten output.
// It rotates by size at a line boundary (a line is never split across files: line-rotation.ts), and
// a write that fails (disk full, directory removed) is counted and reported, never thrown at the
// caller; the next write tries again, so the file recovers by itself when the cause goes away.
//
// With a pipe drain (Linux), bytes go from the program's FIFO into the file by splice(2) and never
// pass through the daemon's memory: a daemon killed at any instant leaves each byte either in the
// file or still in the FIFO, for the next daemon. They move blind, whatever waits in one splice
// (spliceAvailable), while no rotation can be due within them; near the limit the caller learns how
// many wait and peeks at them first (tee, spliceFrom) so the file rotates at a line end.
//
// The file itself (opened through its safe directory, moved aside, emptied) is log-file-handle.ts;
// moving the bytes of a chunk (splice, else copy) is chunk-writer.ts.

export interface LogFault {
  readonly path: string;
  readonly error: NodeJS.ErrnoException;
  readonly droppedBytes: number;
}

export interface LogFileHooks {
  onFault(fault: LogFault): void;
  onRecover(path: string, droppedBytes: number): void;
}

export class LogFile {
  readonly path: string;
  #policy: RotationPolicy;
  #hooks: LogFileHooks;
  #file: LogFileHandle;
  #writer: ChunkWriter;
  #droppedBytes = 0;
  #faulted = false;
  /** The error code last reported: a fault whose cause changes (deleted, then refused) is told again. */
  #faultCode: string | undefined;
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
    this.#file = new LogFileHandle(path, policy, () => this.#onDeleted());
    this.#writer = new ChunkWriter(this.#file, drain);
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
    const writer = this.#writer;
    writer.startChunk();
    try {
      writer.openFile();
      const limit = this.#policy.maxSizeBytes;
      if (limit > 0 && this.#file.regular && this.#file.size + chunk.length > limit) {
        writeAcrossRotation(this.#file, writer, chunk, source, limit);
      } else {
        writer.writeRange(chunk, 0, chunk.length, source);
      }
      this.#recovered();
    } catch (error) {
      this.#fail(error as NodeJS.ErrnoException, chunk.length - writer.taken, source);
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

  /** The open file was deleted under us: report it; the write that follows re-creates the file and reports the recovery. */
  #onDeleted(): void {
    this.#faulted = true;
    this.#faultCode = 'ENOENT';
    const error: NodeJS.ErrnoException = Object.assign(new Error(`${this.path} was deleted`), {
      code: 'ENOENT',
    });
    this.#hooks.onFault({ path: this.path, error, droppedBytes: this.#droppedBytes });
  }

  /**
   * The zero-copy path: moves `length` bytes from pipe `source` into the file without looking at
   * them. Returns false, having done nothing, when the file would reach its size limit within them:
   * the caller then peeks at them and uses `spliceFrom`, which rotates at a line end.
   */
  spliceBlind(source: number, length: number): boolean {
    const writer = this.#writer;
    const drain = writer.drain;
    if (!drain) return false;
    writer.startChunk();
    try {
      const fd = writer.openFile();
      const limit = this.#policy.maxSizeBytes;
      if (limit > 0 && this.#file.regular && this.#file.size + length > limit) return false;
      writer.spliceAll(drain, source, fd, length);
      this.#file.recordWritten(length, null);
      this.#recovered();
    } catch (error) {
      this.#fail(error as NodeJS.ErrnoException, length - writer.taken, source);
    }
    this.#notify();
    return true;
  }

  /**
   * The fast path: moves what waits in pipe `source`, at most `maxLength` bytes, into the file by one
   * splice(2), without asking first how much waits (each question takes the pipe's lock, which the
   * program's writes contend for). Returns how many moved, 0 at the pipe's end, -1 when it was empty;
   * or null, having taken nothing, when it cannot go blind: the file is not open yet, a rotation may be
   * due within `maxLength` bytes, the target is not a regular file, or the file cannot be written. The caller then learns
   * how many bytes wait and uses `spliceBlind` or `spliceFrom`, which count what a fault drops.
   */
  spliceAvailable(source: number, maxLength: number): number | null {
    const drain = this.#writer.drain;
    // A file not open yet is opened once there is something to write: a program that exits having
    // written nothing (a crash before its first line) gets no file opened on its way to a restart.
    if (!drain || !this.#file.isOpen) return null;
    let moved: number;
    try {
      const fd = this.#writer.openFile();
      const limit = this.#policy.maxSizeBytes;
      const file = this.#file;
      if (!file.regular || (limit > 0 && file.size + maxLength > limit)) return null;
      moved = drain.spliceToFile(source, fd, maxLength);
    } catch {
      return null;
    }
    if (moved > 0) {
      this.#file.recordWritten(moved, null);
      this.#recovered();
      this.#notify();
    }
    return moved;
  }

  /** Starts a new file now (daily rotation, or on request), if the current one has anything in it. */
  rotate(): void {
    this.#file.rotateIfNotEmpty();
    this.#notify();
  }

  /** Empties the file and deletes its rotated ones (`tend flush`), through the same safe directory. */
  flush(): boolean {
    const emptied = this.#file.empty();
    this.reopen();
    this.#notify();
    return emptied;
  }

  close(): void {
    this.#file.close();
  }

  /**
   * Closes the file and opens its path again (after a flush emptied it, or it was moved away), so its
   * size and line end are read afresh. A file that is not open stays closed: the next write opens it.
   */
  reopen(): void {
    const wasOpen = this.#file.isOpen;
    this.close();
    if (!wasOpen) return;
    try {
      this.#writer.openFile();
      this.#recovered();
    } catch (error) {
      this.#fail(error as NodeJS.ErrnoException, 0, null);
    }
  }
}
