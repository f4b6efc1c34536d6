import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

// An append-only log file written synchronously: a chunk read from the program is on its way to the
// disk before the next one is read, so a daemon killed at any moment holds no unwritten output.
// A write that fails (disk full, directory removed) is counted and reported, never thrown at the caller.

export interface LogFault {
  readonly path: string;
  readonly error: NodeJS.ErrnoException;
  readonly droppedBytes: number;
}

export class LogFile {
  readonly path: string;
  #fd: number | null = null;
  #droppedBytes = 0;
  #onFault: (fault: LogFault) => void;
  #faulted = false;

  constructor(path: string, onFault: (fault: LogFault) => void) {
    this.path = path;
    this.#onFault = onFault;
  }

  get droppedBytes(): number {
    return this.#droppedBytes;
  }

  write(chunk: Uint8Array): void {
    try {
      const fd = this.#open();
      let offset = 0;
      while (offset < chunk.length) offset += writeSync(fd, chunk, offset, chunk.length - offset);
      this.#faulted = false;
    } catch (error) {
      this.#droppedBytes += chunk.length;
      this.close();
      if (!this.#faulted) {
        this.#faulted = true;
        this.#onFault({
          path: this.path,
          error: error as NodeJS.ErrnoException,
          droppedBytes: this.#droppedBytes,
        });
      }
    }
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

  #open(): number {
    if (this.#fd === null) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      this.#fd = openSync(this.path, 'a', 0o600);
    }
    return this.#fd;
  }
}
