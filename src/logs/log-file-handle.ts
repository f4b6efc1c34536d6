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
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  compressInBackground,
  getRotatedName,
  listRotated,
  pruneRotated,
  type RotationPolicy,
  recoverCompression,
} from './rotation.js';
import { openInDirectory, openSafeDirectory, type SafeDirectory } from './safe-path.js';

// The file under a LogFile, as the file system sees it. It is never reached through a symlink
// another user could plant (safe-path.ts): its directory is reached once, when the file is opened,
// and every later step (rotation, pruning, compression, flush) goes through that same directory.
// Opening reads the file's size and whether it ends a line, and first finishes a compression an
// earlier daemon left half done. A file deleted underneath is noticed (at most once a second) and
// reported; the next open makes it again. Nothing of this is done per chunk.

const DELETED_CHECK_INTERVAL_MS = 1000;
const NEWLINE = 0x0a;
// splice(2) refuses a file opened O_APPEND; it writes at the file's size instead.
const SPLICE_FLAGS = constants.O_WRONLY | constants.O_CREAT;
const APPEND_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;

export class LogFileHandle {
  readonly path: string;
  #policy: RotationPolicy;
  #onDeleted: () => void;
  #fd: number | null = null;
  /** The file's directory as reached safely; held while the file is open or being rotated. */
  #dir: SafeDirectory | null = null;
  #size = 0;
  /** Whether the file ends with a newline (or is empty): only there may it rotate. null: not known yet. */
  #endsLine: boolean | null = true;
  #regular = true;
  /** The fd was opened for splice (no O_APPEND): every copy must say where it goes, as splice does. */
  #positioned = false;
  #lastDeletedCheck = 0;
  #leftoversChecked = false;

  /** `onDeleted`: the open file was found deleted (and is closed now); the next open re-creates it. */
  constructor(path: string, policy: RotationPolicy, onDeleted: () => void) {
    this.path = path;
    this.#policy = policy;
    this.#onDeleted = onDeleted;
  }

  get isOpen(): boolean {
    return this.#fd !== null;
  }

  /** Bytes in the file: read at open, then counted by `recordWritten`. */
  get size(): number {
    return this.#size;
  }

  get regular(): boolean {
    return this.#regular;
  }

  get positioned(): boolean {
    return this.#positioned;
  }

  /** `endsLine`: whether the bytes written end with a newline; null when nobody looked at them. */
  recordWritten(bytes: number, endsLine: boolean | null): void {
    if (bytes <= 0) return;
    this.#size += bytes;
    this.#endsLine = endsLine;
  }

  /** The open fd, opened first if need be: for splice (no O_APPEND), or to append. */
  open(forSplice: boolean): number {
    if (this.#fd !== null && this.#regular) this.#checkDeleted();
    if (this.#fd === null) {
      const dir = this.#getDir();
      const fsPath = this.#getFsPath();
      if (!this.#leftoversChecked) {
        this.#leftoversChecked = true;
        recoverCompression(fsPath, this.#policy.compress, () => pruneRotated(fsPath, this.#policy.keep), dir);
      }
      const fd = openInDirectory(dir, basename(this.path), forSplice ? SPLICE_FLAGS : APPEND_FLAGS);
      this.#positioned = forSplice;
      const stat = fstatSync(fd);
      this.#fd = fd;
      this.#regular = stat.isFile();
      this.#size = this.#regular ? stat.size : 0;
      this.#endsLine = this.#size === 0 || endsWithNewline(fsPath, this.#size);
    }
    return this.#fd;
  }

  close(): void {
    this.#closeFile();
    this.#dir?.release();
    this.#dir = null;
  }

  isAtLineEnd(): boolean {
    this.#endsLine ??= endsWithNewline(this.#getFsPath(), this.#size);
    return this.#endsLine;
  }

  /** Moves the file aside now; the next write starts a new one. */
  rotateNow(): void {
    this.#closeFile();
    this.#moveAside();
    this.#size = 0;
  }

  /** Moves the file aside (daily rotation, or on request) if it has anything in it. */
  rotateIfNotEmpty(): void {
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
  }

  /** Truncates the file and deletes its rotated ones; false when there was no file to empty. */
  empty(): boolean {
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
    return emptied;
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

  /** A file deleted under us (or its directory) would swallow writes silently: close it and say so. */
  #checkDeleted(): void {
    const now = Date.now();
    if (now - this.#lastDeletedCheck < DELETED_CHECK_INTERVAL_MS || this.#fd === null) return;
    this.#lastDeletedCheck = now;
    if (fstatSync(this.#fd).nlink > 0) return;
    this.close();
    this.#onDeleted();
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
