import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { StreamName } from './capture.js';
import { MAX_LINE_BYTES } from './line-writer.js';
import { listRotated } from './rotation.js';

// `tend logs -f` reads a log file on from a position, like `tail -F`, rather than listening to the
// capture: the file is the record, so where a follower stands is a cursor into it (the file's inode
// and the byte offset after the last line given), and a follower that reconnects to a new daemon
// with its cursor goes on from there: what was written while no daemon ran, or before the new one
// listened, is read from the file. A rotation is followed into the next file (the one rotated
// after ours, or the current one), so a follower misses no line and repeats none.

/** Where a follower stands in one log: the file (inode) and the byte offset after the last line. */
export interface FileCursor {
  readonly ino: number;
  readonly offset: number;
}

export type FollowedLine = (line: string, cursor: FileCursor) => void;

const BLOCK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

export class FileFollower {
  readonly path: string;
  #fd: number | null = null;
  #ino = 0;
  #offset = 0;

  /** `from`: a cursor to go on after; null: from the end of the current file (now). */
  constructor(path: string, from: FileCursor | null) {
    this.path = path;
    if (from === null) {
      if (this.#openPath(path)) this.#offset = fstatSync(this.#fd as number).size;
      return;
    }
    const found = findByInode(path, from.ino);
    // Gone (compressed, pruned or flushed away): the current file, from its start.
    if (!this.#openPath(found ?? path)) return;
    if (found === null) return;
    this.#offset = from.offset <= fstatSync(this.#fd as number).size ? from.offset : 0;
  }

  /** Where it stands: after the last line given (inode 0: no file yet). */
  get cursor(): FileCursor {
    return { ino: this.#ino, offset: this.#offset };
  }

  /** Gives every complete line written since the last call, then stands after it. */
  read(onLine: FollowedLine): void {
    for (;;) {
      if (this.#fd === null && !this.#openPath(this.path)) return;
      const current = getInode(this.path);
      // Once the path names another file, ours is final: read it to its end, then take the next.
      const final = current !== this.#ino;
      this.#readToEnd(onLine, final);
      if (!final || current === null) return;
      const next = findSuccessor(this.path, this.#ino);
      this.close();
      if (!this.#openPath(next)) return;
    }
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #readToEnd(onLine: FollowedLine, final: boolean): void {
    const fd = this.#fd as number;
    let size = fstatSync(fd).size;
    // Emptied by `tend flush`: from the start again.
    if (size < this.#offset) this.#offset = 0;
    while (this.#offset < size) {
      const block = Buffer.allocUnsafe(Math.min(BLOCK_BYTES, size - this.#offset));
      const got = readSync(fd, block, 0, block.length, this.#offset);
      if (got === 0) return;
      const bytes = block.subarray(0, got);
      let start = 0;
      for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
        onLine(bytes.toString('utf8', start, end), { ino: this.#ino, offset: this.#offset + end + 1 });
        start = end + 1;
      }
      const rest = got - start;
      // A line without its newline yet waits for it, unless the file is final or the line too long.
      const atEnd = this.#offset + got >= size;
      if (rest > 0 && ((final && atEnd) || rest >= MAX_LINE_BYTES)) {
        onLine(bytes.toString('utf8', start), { ino: this.#ino, offset: this.#offset + got });
        start = got;
      }
      if (start === 0) return;
      this.#offset += start;
      if (this.#offset >= size) size = fstatSync(fd).size;
    }
  }

  #openPath(path: string): boolean {
    try {
      const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      const stat = fstatSync(fd);
      if (!stat.isFile()) {
        closeSync(fd);
        return false;
      }
      this.#fd = fd;
      this.#ino = stat.ino;
      this.#offset = 0;
      return true;
    } catch {
      return false;
    }
  }
}

/** The files a log is made of, oldest first: its uncompressed rotated files, then itself. */
function listFiles(path: string): string[] {
  return [
    ...listRotated(path)
      .filter((file) => !file.compressed)
      .map((file) => file.path),
    path,
  ];
}

function getInode(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}

function findByInode(path: string, ino: number): string | null {
  return listFiles(path).find((file) => getInode(file) === ino) ?? null;
}

/** The file rotated right after the one with inode `ino`; the current file when that is not known. */
function findSuccessor(path: string, ino: number): string {
  const files = listFiles(path);
  const index = files.findIndex((file) => getInode(file) === ino);
  return index === -1 ? path : (files[index + 1] ?? path);
}

/** A cursor as the API writes it: `out:INODE:OFFSET` (the stream names the file, not the line). */
export function formatCursor(stream: StreamName, cursor: FileCursor): string {
  return `${stream}:${cursor.ino}:${cursor.offset}`;
}
