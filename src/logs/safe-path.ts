import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

// A log file may live where the program's user can write (its own directory): he could replace the
// file, or a directory on the way to it, by a symlink to /etc/cron.d and have a root daemon write
// there. So a log's directory is reached one component at a time (docs/security.md):
// - while every directory so far belongs to root or the daemon's uid and nobody else may write it,
//   the path is trusted (symlinks placed there by root or the daemon are followed, as /var/run → /run);
// - from the first directory someone else may write (or that belongs to someone else), each further
//   component is opened with O_NOFOLLOW|O_DIRECTORY and the next one reached through that descriptor
//   (/proc/self/fd/N/name: openat(2) from Node), so no symlink and no swap of a directory name can
//   move the file elsewhere. That directory's fd is held as long as the log file uses it.
// The file itself is always opened with O_NOFOLLOW (a symlink in its place is refused unless
// root or the daemon put it in a directory only they may write). Linux only past the trusted part:
// elsewhere such a directory is refused.

const WRITABLE_BY_OTHERS = 0o022;
const STICKY = 0o1000;
const MAX_SYMLINKS = 40;
const NO_FOLLOW_DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** A directory reached safely: `path` names it for as long as it is held (a real path or /proc/self/fd/N). */
export interface SafeDirectory {
  readonly path: string;
  /** The descriptor behind `path` when the directory is reached through one; null for a trusted path. */
  readonly fd: number | null;
  /** Whether everything on the way belongs to root or the daemon and nobody else may write it. */
  readonly trusted: boolean;
  /** Releases the descriptor once nobody uses `path` any more (counted: see retain). */
  release(): void;
  retain(): void;
}

export class UnsafeLogPathError extends Error {
  readonly code = 'ELOOP';
  constructor(path: string, why: string) {
    super(`${path}: ${why}`);
  }
}

/** Reaches (and with `create`, makes, mode 0700) the directory `dir` as described above. */
export function openSafeDirectory(dir: string, options: { create: boolean }): SafeDirectory {
  const trustedUids = getTrustedUids();
  const pending = resolve(dir).split('/').filter(Boolean);
  let current = '/';
  let fd: number | null = null;
  let trusted = true;
  let links = 0;
  try {
    while (pending.length > 0) {
      const name = pending.shift() as string;
      if (name === '.') continue;
      if (name === '..') {
        if (!trusted) throw new UnsafeLogPathError(dir, '".." after a directory others may write');
        current = dirname(current);
        continue;
      }
      const next = join(current, name);
      let stats = lstatOrNull(next);
      if (stats === null && options.create) {
        mkdirSync(next, { mode: 0o700 });
        stats = lstatSync(next);
      }
      if (stats === null)
        throw Object.assign(new Error(`${join(current, name)}: no such directory`), { code: 'ENOENT' });
      if (stats.isSymbolicLink()) {
        if (!trusted || !trustedUids.has(stats.uid))
          throw new UnsafeLogPathError(dir, `${name} is a symbolic link in a directory others may write`);
        if (++links > MAX_SYMLINKS) throw new UnsafeLogPathError(dir, 'too many symbolic links');
        const target = readlinkSync(next);
        pending.unshift(...target.split('/').filter(Boolean));
        if (isAbsolute(target)) current = '/';
        continue;
      }
      if (!stats.isDirectory())
        throw Object.assign(new Error(`${next}: not a directory`), { code: 'ENOTDIR' });
      if (trusted && isTrustedDirectory(stats, trustedUids)) {
        current = next;
        continue;
      }
      if (process.platform !== 'linux')
        throw new UnsafeLogPathError(dir, `${next} may be written by others (supported on Linux only)`);
      trusted = false;
      const opened = openSync(next, NO_FOLLOW_DIRECTORY);
      const check = fstatSync(opened);
      if (check.ino !== stats.ino || check.dev !== stats.dev) {
        closeSync(opened);
        throw new UnsafeLogPathError(dir, `${next} was replaced while it was opened`);
      }
      if (fd !== null) closeSync(fd);
      fd = opened;
      current = `/proc/self/fd/${opened}`;
    }
  } catch (error) {
    if (fd !== null) closeSync(fd);
    throw error;
  }
  return createHandle(current, fd, trusted);
}

/**
 * Opens `name` in `dir` without following a symlink in its place (see the header for the one
 * exception) and refuses anything but a regular file or a device; returns the fd.
 */
export function openInDirectory(dir: SafeDirectory, name: string, flags: number, mode = 0o600): number {
  const path = join(dir.path, name);
  const stats = lstatOrNull(path);
  if (stats?.isSymbolicLink()) {
    if (!dir.trusted || !getTrustedUids().has(stats.uid))
      throw new UnsafeLogPathError(path, 'is a symbolic link in a directory others may write');
    // Put there by root or the daemon (/dev/stdout, say): followed, like any trusted path.
    const target = resolve(dir.path, readlinkSync(path));
    const targetDir = openSafeDirectory(dirname(target), { create: false });
    try {
      return openInDirectory(targetDir, basename(target), flags, mode);
    } finally {
      targetDir.release();
    }
  }
  // O_NONBLOCK: a FIFO put in the file's place must not block the daemon in open(2).
  const fd = openSync(path, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK, mode);
  const opened = fstatSync(fd);
  if (!opened.isFile() && !opened.isCharacterDevice()) {
    closeSync(fd);
    throw new UnsafeLogPathError(path, 'is neither a regular file nor a device');
  }
  if (opened.isFile() && opened.nlink > 1 && !getTrustedUids().has(opened.uid)) {
    closeSync(fd);
    throw new UnsafeLogPathError(path, 'is a hard link to a file of another user');
  }
  return fd;
}

function createHandle(path: string, fd: number | null, trusted: boolean): SafeDirectory {
  let users = 1;
  return {
    path,
    fd,
    trusted,
    retain: () => {
      users += 1;
    },
    release: () => {
      users -= 1;
      if (users === 0 && fd !== null) closeSync(fd);
    },
  };
}

function isTrustedDirectory(stats: Stats, trustedUids: ReadonlySet<number>): boolean {
  if (!trustedUids.has(stats.uid)) return false;
  return (stats.mode & WRITABLE_BY_OTHERS) === 0 || (stats.mode & STICKY) !== 0;
}

function getTrustedUids(): ReadonlySet<number> {
  return new Set([0, process.geteuid?.() ?? 0]);
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
