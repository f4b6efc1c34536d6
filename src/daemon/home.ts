import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  type Stats,
} from 'node:fs';
import { dirname, sep } from 'node:path';
import { UnsafePathError } from '../errors.js';
import type { TendPaths } from '../paths.js';

// TEND_HOME holds what the daemon trusts: its database (the programs it runs, as whom), its socket,
// its FIFOs. A home another user could write, replace or point elsewhere would let him choose what a
// root daemon runs, so the CLI and the daemon refuse one before they use it (docs/security.md):
// every entry is lstat'ed (a symlink is refused, never followed), must belong to this uid and must
// not be writable by anyone else; every directory above it must belong to root or this uid and not
// be writable by others unless sticky (/tmp), the rule sshd's StrictModes applies to ~/.ssh.

const WRITABLE_BY_OTHERS = 0o022;
const STICKY = 0o1000;

/** Refuses a home (and its entries) that another user could control; nothing is created or changed. */
export function checkHome(paths: TendPaths, uid: number = getUid()): void {
  checkAncestors(paths.home, uid);
  const home = lstatOrNull(paths.home);
  if (home === null) return;
  checkEntry('TEND_HOME', paths.home, home, uid, 'directory');
  for (const dir of [paths.logsDir, paths.fifoDir]) checkOptional('TEND_HOME entry', dir, uid, 'directory');
  for (const file of getHomeFiles(paths)) checkOptional('TEND_HOME entry', file, uid, 'file');
  checkOptional('TEND_HOME entry', paths.socket, uid, 'socket');
}

/** Creates TEND_HOME and its folders with mode 0700 after checking them, and tightens a readable home. */
export function ensureHome(paths: TendPaths, uid: number = getUid()): void {
  checkHome(paths, uid);
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  tightenHome(paths.home, uid);
  // mkdir never follows a symlink in the last component: an existing entry is checked below.
  mkdirSync(paths.logsDir, { mode: 0o700, recursive: true });
  mkdirSync(paths.fifoDir, { mode: 0o700, recursive: true });
  checkHome(paths, uid);
}

/** Every file TEND_HOME holds for the daemon itself (not a program's log or FIFO). */
export function getHomeFiles(paths: TendPaths): string[] {
  const db = paths.database;
  return [db, `${db}-wal`, `${db}-shm`, `${db}-journal`, paths.pidFile, paths.daemonLog];
}

function getUid(): number {
  return process.geteuid?.() ?? 0;
}

// chmod through an fd opened with O_NOFOLLOW, after checking it is the directory we lstat'ed.
function tightenHome(home: string, uid: number): void {
  const before = lstatSync(home);
  checkEntry('TEND_HOME', home, before, uid, 'directory');
  if ((before.mode & 0o077) === 0) return;
  const fd = openSync(home, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    const opened = fstatSync(fd);
    if (opened.ino !== before.ino || opened.dev !== before.dev)
      throw new UnsafePathError('TEND_HOME', home, 'it was replaced while being checked');
    fchmodSync(fd, 0o700);
  } finally {
    closeSync(fd);
  }
}

function checkAncestors(home: string, uid: number): void {
  let dir: string;
  try {
    dir = realpathSync(dirname(home));
  } catch {
    return; // not there yet: mkdir creates it, and the check after it looks again
  }
  for (let current = dir; ; current = dirname(current)) {
    const stats = lstatSync(current);
    if (stats.uid !== 0 && stats.uid !== uid)
      throw new UnsafePathError('TEND_HOME', home, `${current} above it belongs to uid ${stats.uid}`);
    const sticky = (stats.mode & STICKY) !== 0;
    if ((stats.mode & WRITABLE_BY_OTHERS) !== 0 && !sticky)
      throw new UnsafePathError(
        'TEND_HOME',
        home,
        `${current} above it is writable by others (${describeMode(stats)})`,
      );
    if (current === sep || dirname(current) === current) return;
  }
}

type Kind = 'directory' | 'file' | 'socket';

function checkOptional(what: string, path: string, uid: number, kind: Kind): void {
  const stats = lstatOrNull(path);
  if (stats) checkEntry(what, path, stats, uid, kind);
}

function checkEntry(what: string, path: string, stats: Stats, uid: number, kind: Kind): void {
  if (stats.isSymbolicLink()) throw new UnsafePathError(what, path, 'it is a symbolic link');
  const isKind =
    kind === 'directory' ? stats.isDirectory() : kind === 'socket' ? stats.isSocket() : stats.isFile();
  if (!isKind) throw new UnsafePathError(what, path, `it is not a ${kind}`);
  if (stats.uid !== uid)
    throw new UnsafePathError(what, path, `it belongs to uid ${stats.uid}, not to uid ${uid} (this user)`);
  if ((stats.mode & WRITABLE_BY_OTHERS) !== 0)
    throw new UnsafePathError(what, path, `it is writable by others (${describeMode(stats)})`);
}

function describeMode(stats: Stats): string {
  return `mode ${(stats.mode & 0o7777).toString(8).padStart(4, '0')}`;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
