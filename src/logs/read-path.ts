import { Socket, type SocketConstructorOpts } from 'node:net';

// The read path of a capture, where splice cannot serve: the formatted outputs (timestamps, JSON
// lines, merged streams, console), and raw output without the native helper. libuv reads the FIFO
// into one shared buffer (Node's `onread`), not into a new Buffer per chunk: a chunk is handled
// (written, or split into lines and formatted) before the callback returns, and whatever is kept
// longer is copied (LineSplitter's partial line). Against a Buffer per read, this cut the daemon's
// CPU for 200 MB of raw output in the bench's log test from about 0.3 s to 0.12 s. A daemon killed
// between the read and the write loses that one read (at most READ_BUFFER_BYTES).

export const READ_BUFFER_BYTES = 64 * 1024;
const READ_BUFFER = Buffer.allocUnsafe(READ_BUFFER_BYTES);

/** Starts reading FIFO `fd` (the reader owns it): `onChunk` for each read, valid until it returns; `onEnd` once. */
export function startReadPath(
  fd: number,
  onChunk: (chunk: Buffer) => void,
  onEnd: () => void,
): { destroy(): void } {
  // @types/node lists onread for connect() only; Node takes it in the constructor too.
  const onread = {
    buffer: READ_BUFFER,
    callback: (bytes: number) => onChunk(READ_BUFFER.subarray(0, bytes)),
  };
  const options: SocketConstructorOpts & { onread: typeof onread } = {
    fd,
    readable: true,
    writable: false,
    onread,
  };
  const socket = new Socket(options);
  socket.on('error', () => socket.destroy());
  // 'end' when the last writer has gone, 'close' after an error too: onEnd once, whichever comes.
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  socket.on('end', end);
  socket.on('close', end);
  return socket;
}
