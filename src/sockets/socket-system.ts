import { closeSync, lstatSync, readdirSync, readlinkSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { getNativeHelper } from '../native.js';

// What held sockets need from the kernel, as a seam (tests use a fake): listening without
// accepting, taking an fd back from another process, and what an fd is. Linux, through the helper.

export interface SocketSystem {
  listenTcp(host: string, port: number, backlog: number): number;
  listenUnix(path: string, backlog: number, mode: number): number;
  /** A copy of fd number `fd` of process `pid` (pidfd_getfd). */
  takeFd(pid: number, fd: number): number;
  /** The canonical address of a listening stream socket, else null. */
  describe(fd: number): string | null;
  /** The fd numbers of process `pid` that are sockets (from /proc/PID/fd). */
  listSocketFds(pid: number): number[];
  close(fd: number): void;
  unlink(path: string): void;
}

export class SocketsUnavailableError extends Error {
  constructor() {
    super('sockets: needs the native helper on Linux (build it with npm install)');
  }
}

function getHelper() {
  const native = getNativeHelper();
  if (!native?.listenTcp || !native.listenUnix || !native.takeFd || !native.describeSocket)
    throw new SocketsUnavailableError();
  return native as Required<typeof native>;
}

export const nodeSocketSystem: SocketSystem = {
  listenTcp: (host, port, backlog) => getHelper().listenTcp(host, port, backlog),
  listenUnix(path, backlog, mode) {
    checkSocketDirectory(path);
    return getHelper().listenUnix(path, backlog, mode);
  },
  takeFd: (pid, fd) => getHelper().takeFd(pid, fd),
  describe: (fd) => getHelper().describeSocket(fd),
  listSocketFds(pid) {
    try {
      return readdirSync(`/proc/${pid}/fd`)
        .map(Number)
        .filter((fd) => {
          try {
            return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
          } catch {
            return false;
          }
        })
        .sort((a, b) => a - b);
    } catch {
      return [];
    }
  },
  close(fd) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  },
  unlink(path) {
    try {
      // Only a socket is removed: whatever else took its place is not the daemon's to delete.
      if (lstatSync(path).isSocket()) unlinkSync(path);
    } catch {
      // already gone
    }
  },
};

/**
 * A unix socket's directory must be a real directory that no one else can write to (unless it is
 * sticky, like /tmp): a daemon running as root must not create or remove files where another user
 * can swap the directory under it (docs/security.md, "Held sockets").
 */
export function checkSocketDirectory(path: string): void {
  const directory = dirname(path);
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(directory);
  } catch {
    throw Object.assign(new Error(`its directory ${directory} does not exist`), { code: 'ENOENT' });
  }
  if (stat.isSymbolicLink() || !stat.isDirectory())
    throw Object.assign(new Error(`${directory} is not a directory (a symlink is not taken)`), {
      code: 'ENOTDIR',
    });
  const uid = process.getuid?.() ?? 0;
  const writableByOthers = (stat.mode & 0o022) !== 0 && (stat.mode & 0o1000) === 0;
  if ((stat.uid !== uid && stat.uid !== 0) || writableByOthers)
    throw Object.assign(
      new Error(
        `${directory} can be changed by another user (owner uid ${stat.uid}, mode ${(stat.mode & 0o7777).toString(8)})`,
      ),
      { code: 'EPERM' },
    );
}
