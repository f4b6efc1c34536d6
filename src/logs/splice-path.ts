import type { PipeDrainHelper } from '../native.js';
import type { LogFile } from './log-file.js';
import { PipeReader } from './pipe-reader.js';

// The splice path of a capture: the raw output of one stream into a file of its own, moved from its
// FIFO by splice(2), never held by the daemon (a SIGKILL at any instant loses no byte). Each wake-up
// moves whatever waits blind, in one splice. The bytes are looked at (peeked with tee, then moved)
// only when something must see them: a rotation is due within them, so the file rotates at a line
// end, or `tend logs -f` listens to this capture. No object or closure per chunk: the handlers are
// made once per reader.

/** Who may want the bytes on their way: `tend logs -f` subscribers of the capture. */
export interface SpliceListener {
  isListening(): boolean;
  /** A copy of a chunk, theirs to keep. */
  publish(chunk: Buffer): void;
}

/** Starts draining FIFO `fd` into `file`; the reader owns `fd`. */
export function startSpliceReader(
  fd: number,
  drain: PipeDrainHelper,
  file: LogFile,
  listener: SpliceListener,
  onEnd: () => void,
): PipeReader {
  const pipe: PipeReader = new PipeReader(fd, drain, {
    takeBlind: (source, maxLength) =>
      listener.isListening() ? null : file.spliceAvailable(source, maxLength),
    onChunk: (source, length) => {
      if (!listener.isListening() && file.spliceBlind(source, length)) return;
      // A look is needed (a rotation is due, or `tend logs -f` listens): move what was seen.
      const seen = pipe.peek(length);
      // Listeners get their own copy: the peeked one is reused by the next chunk.
      if (listener.isListening()) listener.publish(Buffer.from(seen));
      file.spliceFrom(source, seen);
    },
    onEnd,
  });
  return pipe;
}
