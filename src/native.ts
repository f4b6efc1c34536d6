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
