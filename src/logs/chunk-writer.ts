import { readSync, writeSync } from 'node:fs';
import type { PipeDrainHelper } from '../native.js';
import type { RangeWriter } from './line-rotation.js';
import type { LogFileHandle } from './log-file-handle.js';

// Moves the bytes of one chunk into a log file. Where the native pipe drain has them still in the
// program's pipe, they go by splice(2) and never pass through the daemon's memory; else they are
// written with the one writeSync loop, and bytes peeked from a pipe that cannot be spliced are taken
// out of it first. It counts the bytes of the chunk already in the file (`taken`), so a fault drops
// only the rest. A file system that refuses splice (EINVAL) is copied to from then on.

const NEWLINE = 0x0a;
const DISCARD = Buffer.allocUnsafe(64 * 1024);

export class ChunkWriter implements RangeWriter {
  #file: LogFileHandle;
  #drain: PipeDrainHelper | null;
  /** Bytes of the chunk being written that are already in the file: what a fault does not drop. */
  #taken = 0;

  constructor(file: LogFileHandle, drain: PipeDrainHelper | null) {
    this.#file = file;
    this.#drain = drain;
  }

  /** The pipe drain while splice works here; null without one, or once the file system refused it. */
  get drain(): PipeDrainHelper | null {
    return this.#drain;
  }

  get taken(): number {
    return this.#taken;
  }

  startChunk(): void {
    this.#taken = 0;
  }

  /** The file's fd, opened for splice while there is a drain, else to append. */
  openFile(): number {
    return this.#file.open(this.#drain !== null);
  }

  /** Bytes `from`..`to` of the chunk into the file: spliced out of `source` where it can, else copied. */
  writeRange(chunk: Uint8Array, from: number, to: number, source: number | null): void {
    const fd = this.openFile();
    if (source !== null && this.#drain) this.spliceAll(this.#drain, source, fd, to - from);
    else {
      // Bytes peeked from a pipe that cannot be spliced: take them out, then write the copy.
      if (source !== null) discardFromPipe(source, to - from);
      this.#copyToFile(fd, chunk, from, to);
    }
    this.#file.recordWritten(to - from, chunk[to - 1] === NEWLINE);
  }

  /** Moves exactly `length` bytes, known to wait in pipe `source`, into the file. */
  spliceAll(drain: PipeDrainHelper, source: number, fd: number, length: number): void {
    let moved = 0;
    try {
      while (moved < length) {
        const step = drain.spliceToFile(source, fd, length - moved);
        // The bytes were seen waiting: a pipe that has them no more was emptied by someone else.
        if (step <= 0)
          throw Object.assign(new Error(`${this.#file.path}: the pipe is empty`), { code: 'EAGAIN' });
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
    const file = this.#file;
    const position = file.positioned && file.regular ? file.size - from : null;
    for (let offset = from; offset < to; ) {
      const written = writeSync(fd, bytes, offset, to - offset, position === null ? null : position + offset);
      offset += written;
      this.#taken += written;
    }
  }
}

/** Takes `length` bytes out of a pipe (into `into` when given), e.g. the ones a full disk could not take. */
export function discardFromPipe(source: number, length: number, into?: Buffer): void {
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
