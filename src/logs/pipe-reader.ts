import type { PipeDrainHelper } from '../native.js';
import { FIFO_BUFFER_BYTES } from './fifo.js';

// Drains a program's FIFO without ever holding its bytes. Each wake-up first offers the consumer to
// take what waits blind (one splice(2) into its file, which also tells an empty pipe from its end):
// the common case costs that one system call. Each call on the pipe (FIONREAD, tee, splice) takes the
// pipe's lock, which a busy program's writes hold from another CPU, and the daemon spins for it: up to
// a fifth of its CPU per megabyte in `npm run bench`'s log test. Only a consumer that must see the bytes (a rotation is due, or
// `tend logs -f` listens) is told how many wait (FIONREAD) and takes exactly that many, after a look
// at a copy (tee) when it needs one. libuv's poll wakes it; an idle FIFO costs nothing.

/** Shared by every reader: each copy is used up before the next peek, and nobody keeps it. */
const PEEK_BUFFER = Buffer.allocUnsafe(FIFO_BUFFER_BYTES);
/** One byte is enough to tell an empty pipe from its end. */
const PROBE = PEEK_BUFFER.subarray(0, 1);

export interface PipeReaderHandlers {
  /**
   * Tried first at each wake-up: moves up to `maxLength` bytes out of pipe `fd` without being told how
   * many wait. Returns how many moved, 0 at the pipe's end, -1 when it was empty; or null, having
   * taken nothing, when it needs the length (onChunk follows).
   */
  takeBlind?(fd: number, maxLength: number): number | null;
  /**
   * `length` bytes wait at the head of pipe `fd`: the handler takes exactly that many out of it,
   * after a look at them through `reader.peek(length)` if it needs one.
   */
  onChunk(fd: number, length: number): void;
  /** Every writer has gone and the pipe is empty; the reader has closed itself. */
  onEnd(): void;
}

export class PipeReader {
  #fd: number;
  #drain: PipeDrainHelper;
  #handlers: PipeReaderHandlers;
  #watcher: { close(): void } | null;

  /** Takes ownership of `fd` (non-blocking, read end of a FIFO). */
  constructor(fd: number, drain: PipeDrainHelper, handlers: PipeReaderHandlers) {
    this.#fd = fd;
    this.#drain = drain;
    this.#handlers = handlers;
    this.#watcher = drain.watchReadable(fd, () => this.#onReadable());
  }

  destroy(): void {
    this.#watcher?.close();
    this.#watcher = null;
  }

  // One chunk per wake-up: the poll is level-triggered, so more data wakes it again, and a busy
  // program cannot starve the others. Asking again right away would cost two more system calls.
  #onReadable(): void {
    if (!this.#watcher) return;
    const moved = this.#handlers.takeBlind?.(this.#fd, PEEK_BUFFER.length) ?? null;
    if (moved === 0) this.#end();
    if (moved !== null) return;
    const length = Math.min(this.#available(), PEEK_BUFFER.length);
    if (length === -1) return;
    if (length === 0) this.#end();
    else this.#handlers.onChunk(this.#fd, length);
  }

  #end(): void {
    this.destroy();
    this.#handlers.onEnd();
  }

  /** A copy of the first `length` bytes waiting (tee), valid until the next chunk; nothing is consumed. */
  peek(length: number): Buffer {
    const copied = this.#drain.peekPipe(this.#fd, PEEK_BUFFER.subarray(0, length));
    return PEEK_BUFFER.subarray(0, Math.max(0, copied));
  }

  /** Bytes waiting; 0 at end of file (no writer left and empty); -1 when empty for now. */
  #available(): number {
    try {
      const waiting = this.#drain.pipeBytes(this.#fd);
      // Nothing waiting: a peek tells an empty pipe with writers (-1) from the end (0).
      return waiting > 0 ? waiting : this.#drain.peekPipe(this.#fd, PROBE);
    } catch {
      return 0;
    }
  }
}
