import { closeSync, mkdirSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { ProgramSpec } from '../config/program-schema.js';
import { ensureFifos, openFifoForChild, openFifoForReading } from '../logs/fifo.js';
import { getNativeHelper } from '../native.js';
import type { TendPaths } from '../paths.js';
import { parseNotifyMessage } from './notify-message.js';

// How a program tells tend it is ready (and, with notify, alive): sd_notify datagrams on a socket
// tend binds for it (NOTIFY_SOCKET), or a newline on an inherited fd (s6's notification-fd, tend
// passes its number in NOTIFY_FD). Programs using `startSecs` need neither.

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
  const native = getNativeHelper();
  if (!native?.bindNotifySocket)
    throw new Error('ready: notify needs the native helper (build it with npm install)');
  const path = getNotifySocketPath(paths, spec.name);
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
  const socket = native.bindNotifySocket(path, (text, pid) =>
    handlers.onNotify(parseNotifyMessage(text), pid),
  );
  const env: Record<string, string> = { NOTIFY_SOCKET: path };
  if (spec.watchdog !== null) env.WATCHDOG_USEC = String(spec.watchdog * 1000);
  return {
    env,
    openChildFd: () => null,
    close: () => {
      socket.close();
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
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
