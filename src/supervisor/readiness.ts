import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { findUser } from '../accounts.js';
import type { ProgramSpec } from '../config/program-schema.js';
import { ensureFifos, openFifoForChild, openFifoForReading } from '../logs/fifo.js';
import { getNativeHelper } from '../native.js';
import type { TendPaths } from '../paths.js';
import { parseNotifyMessage } from './notify-message.js';

// How a program tells tend it is ready (and, with notify, alive): sd_notify datagrams on a socket
// tend binds for it (NOTIFY_SOCKET), or a newline on an inherited fd (s6's notification-fd, tend
// passes its number in NOTIFY_FD). Programs using `startSecs` need neither.
//
// The socket is TEND_HOME/notify/NAME, unless the program runs as another user than the daemon:
// that user may not enter the 0700 home, so his program gets an abstract socket instead (no file,
// no permissions: NOTIFY_SOCKET=@tend-notify-…). Anyone on the machine can send to an abstract
// socket, which is why every datagram carries its sender's pid, set by the kernel (SO_PASSCRED),
// and one is heard only from the program's own process group, which no other session can join.
// The name is derived from the database's inode (hidden in the 0700 home), so it is the same for
// the next daemon (adopted programs keep notifying) and cannot be taken in advance by someone else.

const UNIX_PATH_MAX_BYTES = 107;

export interface ReadinessHandlers {
  /** One sd_notify datagram, from a process of the program (already checked). */
  onNotify(fields: Map<string, string>, senderPid: number): void;
  onReadyLine(): void;
}

export interface ReadinessChannel {
  /** Environment for the child (NOTIFY_SOCKET, NOTIFY_FD, WATCHDOG_USEC). */
  readonly env: Record<string, string>;
  /** An fd to hand to the child at `at`, for the fd protocol; call release() after the spawn. */
  openChildFd(): { fd: number; at: number; release(): void } | null;
  close(): void;
}

export function getNotifySocketPath(paths: TendPaths, name: string): string {
  return join(paths.home, 'notify', name);
}

export function createReadinessChannel(
  spec: ProgramSpec,
  paths: TendPaths,
  handlers: ReadinessHandlers,
): ReadinessChannel {
  if (spec.ready === 'notify') return createNotifyChannel(spec, paths, handlers);
  if (spec.ready === 'fd') return createFdChannel(spec, paths, handlers);
  return { env: {}, openChildFd: () => null, close: () => {} };
}

function createNotifyChannel(
  spec: ProgramSpec,
  paths: TendPaths,
  handlers: ReadinessHandlers,
): ReadinessChannel {
  const bound = runsAsOtherUser(spec)
    ? bindAbstract(paths, spec.name, handlers)
    : bindPath(paths, spec.name, handlers);
  const { socket, path, address } = bound;
  const env: Record<string, string> = { NOTIFY_SOCKET: address };
  if (spec.watchdog !== null) env.WATCHDOG_USEC = String(spec.watchdog * 1000);
  return {
    env,
    openChildFd: () => null,
    close: () => {
      socket.close();
      if (path === null) return;
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}

interface BoundSocket {
  readonly socket: { close(): void };
  /** The file to remove on close; null for an abstract socket. */
  readonly path: string | null;
  /** What NOTIFY_SOCKET says: the path, or @name for an abstract socket. */
  readonly address: string;
}

function bindPath(paths: TendPaths, name: string, handlers: ReadinessHandlers): BoundSocket {
  const path = getNotifySocketPath(paths, name);
  if (Buffer.byteLength(path) > UNIX_PATH_MAX_BYTES) {
    throw new Error(
      `ready: notify: socket path ${path} is longer than ${UNIX_PATH_MAX_BYTES} bytes; use a shorter TEND_HOME`,
    );
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    unlinkSync(path);
  } catch {
    // none left over
  }
  return { socket: bind(path, handlers), path, address: path };
}

function bindAbstract(paths: TendPaths, name: string, handlers: ReadinessHandlers): BoundSocket {
  const stable = getAbstractNotifyName(paths, name);
  try {
    return { socket: bind(`\0${stable}`, handlers), path: null, address: `@${stable}` };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    // Taken (by a process that saw the name while the previous daemon ran): a name of our own.
    const fresh = `tend-notify-${randomBytes(16).toString('hex')}`;
    return { socket: bind(`\0${fresh}`, handlers), path: null, address: `@${fresh}` };
  }
}

/** `tend-notify-` and 32 hex digits: the same for every daemon of this home, unknown outside it. */
export function getAbstractNotifyName(paths: TendPaths, name: string): string {
  const database = statSync(paths.database);
  const digest = createHash('sha256')
    .update(`${paths.home}\0${database.dev}:${database.ino}\0${name}`)
    .digest('hex');
  return `tend-notify-${digest.slice(0, 32)}`;
}

function bind(address: string, handlers: ReadinessHandlers): { close(): void } {
  const native = getNativeHelper();
  if (!native?.bindNotifySocket)
    throw new Error('ready: notify needs the native helper (build it with npm install)');
  return native.bindNotifySocket(address, (text, pid) => handlers.onNotify(parseNotifyMessage(text), pid));
}

/** A program whose uid is not the daemon's cannot enter the 0700 home. */
function runsAsOtherUser(spec: ProgramSpec): boolean {
  if (!spec.user) return false;
  try {
    return findUser(spec.user).uid !== process.geteuid?.();
  } catch {
    return false;
  }
}

function createFdChannel(spec: ProgramSpec, paths: TendPaths, handlers: ReadinessHandlers): ReadinessChannel {
  const fifo = join(paths.fifoDir, `${spec.name}.ready`);
  let reader: Socket | null = null;
  const attach = () => {
    if (reader) return;
    const socket = new Socket({ fd: openFifoForReading(fifo), readable: true, writable: false });
    socket.on('data', (chunk: Buffer) => {
      if (chunk.includes(0x0a)) handlers.onReadyLine();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (reader === socket) reader = null;
    });
    reader = socket;
  };
  return {
    env: { NOTIFY_FD: String(spec.readyFd) },
    openChildFd: () => {
      ensureFifos([fifo]);
      const fd = openFifoForChild(fifo);
      attach();
      return { fd, at: spec.readyFd, release: () => closeSync(fd) };
    },
    close: () => reader?.destroy(),
  };
}
