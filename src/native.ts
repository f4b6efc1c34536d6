import { createRequire } from 'node:module';

// The optional native helper (native/tend_native.c, built by node-gyp at install). Everything that
// uses it has a portable fallback, so a machine without a compiler still runs tend.

export interface NativeHelper {
  mkfifo(path: string, mode: number): void;
  /** Linux: sets a pipe's buffer size and returns the size granted; elsewhere returns -1. */
  setPipeSize(fd: number, bytes: number): number;
  /** Linux: binds an AF_UNIX datagram socket and calls onMessage(text, senderPid) for each datagram. */
  bindNotifySocket?(path: string, onMessage: (text: string, pid: number) => void): { close(): void };
  /** Sends one AF_UNIX datagram (sd_notify's client side); `@name` is an abstract socket. Absent in older builds. */
  sendDatagram?(path: string, message: string): void;
  /** Linux ≥ 5.3: calls onExit() once when process pid ends (a pidfd); throws ESRCH if there is none. */
  watchExit?(pid: number, onExit: () => void): { close(): void };
  /** Linux: calls onReadable() while fd is readable or hung up; the watcher owns fd (close() closes it). */
  watchReadable?(fd: number, onReadable: () => void): { close(): void };
  /** Linux: copies the head of a pipe into buffer without consuming it: bytes, 0 at EOF, -1 when empty. */
  peekPipe?(fd: number, buffer: Buffer): number;
  /** Linux: how many bytes wait in a pipe (FIONREAD), without touching them. */
  pipeBytes?(fd: number): number;
  /** Linux: moves up to length bytes from a pipe to the end of a file (not opened O_APPEND); returns how many. */
  spliceToFile?(pipeFd: number, fileFd: number, length: number): number;
}

export type PipeDrainHelper = Required<
  Pick<NativeHelper, 'watchReadable' | 'peekPipe' | 'pipeBytes' | 'spliceToFile'>
>;

/** The lossless FIFO-to-file path (tee + splice), when this platform and build have it. */
export function getPipeDrain(): PipeDrainHelper | null {
  const native = getNativeHelper();
  if (!native?.watchReadable || !native.peekPipe || !native.pipeBytes || !native.spliceToFile) return null;
  return native as PipeDrainHelper;
}

const NATIVE_PATH = '../build/Release/tend_native.node';
let cached: NativeHelper | null | undefined;

export function getNativeHelper(): NativeHelper | null {
  if (cached === undefined) {
    try {
      cached = createRequire(import.meta.url)(NATIVE_PATH) as NativeHelper;
    } catch {
      cached = null;
    }
  }
  return cached;
}
