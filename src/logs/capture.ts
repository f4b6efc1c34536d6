import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../clock.js';
import { getPipeDrain, type PipeDrainHelper } from '../native.js';
import { ensureFifos, openFifoForChild, openFifoForReading, openProgramPipe, removeQuietly } from './fifo.js';
import { LineSplitter } from './line-splitter.js';
import { LogFile, type LogFileHooks } from './log-file.js';
import { CONSOLE_TARGET, type LogOptions, needsLines } from './log-options.js';
import { PipeReader } from './pipe-reader.js';

// The capture path of one program: two FIFOs (stdout, stderr) drained into their targets.
// The daemon's read end is attached for as long as any process of the program holds the FIFO;
// when the last writer goes away the reader sees EOF, which is also a hint that the program exited.
//
// Raw output into a file of its own goes from the FIFO into the file by splice(2) where the native
// helper has it (Linux): a daemon SIGKILLed at any instant loses no byte (see log-file.ts); else it
// is written exactly as read, one write(2) per chunk. Timestamps, JSON lines, merged streams and the
// console target work line by line, still one write per chunk.
// A partial line is held for PARTIAL_FLUSH_MS at most, or until it reaches MAX_LINE_BYTES.

export const PARTIAL_FLUSH_MS = 250;
export const MAX_LINE_BYTES = 64 * 1024;

export type StreamName = 'out' | 'err';

export interface CapturePaths {
  readonly fifo: { readonly out: string; readonly err: string };
  /** Where the files go (already resolved: the program's own paths or the defaults in TEND_HOME). */
  readonly log: { readonly out: string; readonly err: string };
}

export interface ChildFds {
  readonly out: number;
  readonly err: number;
}

export interface LogRecord {
  readonly time: number;
  readonly stream: StreamName;
  readonly line: string;
}

/** What a managed program needs from its output capture (a fake in unit tests). */
export interface Capture {
  openChildFds(): ChildFds;
  releaseChildFds(fds: ChildFds): void;
  /** `pid`: the running program being adopted, whose FIFOs may have been removed meanwhile. */
  attach(pid?: number): void;
  detach(): void;
  removeFifos(): void;
}

interface Target {
  write(data: Buffer): void;
}

const NEWLINE = Buffer.from('\n');

export class OutputCapture implements Capture {
  readonly paths: CapturePaths;
  readonly files: LogFile[] = [];
  #options: LogOptions;
  #targets: Record<StreamName, Target>;
  #lineMode: boolean;
  #splitters: Record<StreamName, LineSplitter> = { out: new LineSplitter(), err: new LineSplitter() };
  #recordSplitters: Record<StreamName, LineSplitter> = { out: new LineSplitter(), err: new LineSplitter() };
  #partialTimers: Partial<Record<StreamName, TimerHandle>> = {};
  #endedEarly: Record<StreamName, boolean> = { out: false, err: false };
  #timeCache: { time: number; iso: string; prefix: Buffer | null } = { time: -1, iso: '', prefix: null };
  #readers: Partial<Record<StreamName, { destroy(): void }>> = {};
  /** Streams read through /proc because their FIFO was removed: a new run needs a reader of its own. */
  #throughProc: Partial<Record<StreamName, boolean>> = {};
  /** Readers of such old pipes, left to drain what the previous run wrote until their EOF. */
  #draining = new Set<{ destroy(): void }>();
  /** Streams whose raw bytes go from FIFO to file by splice, and the helper that does it. */
  #spliced: Partial<Record<StreamName, LogFile>> = {};
  #drain: PipeDrainHelper | null;
  #subscribers = new Set<(record: LogRecord) => void>();
  #onEof: () => void;
  #clock: Clock;
  #onFifoFault: (message: string) => void;

  constructor(
    name: string,
    paths: CapturePaths,
    options: LogOptions,
    hooks: LogFileHooks & {
      onEof: () => void;
      writeConsole: (data: Buffer) => void;
      clock: Clock;
      onFifoFault?: (message: string) => void;
    },
  ) {
    this.paths = paths;
    this.#clock = hooks.clock;
    this.#options = options;
    this.#onEof = hooks.onEof;
    this.#onFifoFault = hooks.onFifoFault ?? (() => {});
    const policy = { maxSizeBytes: options.maxSize, keep: options.keep, compress: options.compress };
    this.#lineMode = needsLines(options) || options.out === CONSOLE_TARGET || options.err === CONSOLE_TARGET;
    this.#drain = this.#lineMode ? null : getPipeDrain();
    const makeTarget = (stream: StreamName): Target => {
      const configured = options[stream];
      if (configured === CONSOLE_TARGET) return new ConsoleTarget(hooks.writeConsole, name);
      const file = new LogFile(paths.log[stream], policy, hooks, this.#drain);
      this.files.push(file);
      if (this.#drain) this.#spliced[stream] = file;
      return file;
    };
    const out = makeTarget('out');
    this.#targets = { out, err: options.merge ? out : makeTarget('err') };
  }

  get droppedBytes(): number {
    return this.files.reduce((sum, file) => sum + file.droppedBytes, 0);
  }

  /** Opens the write ends for a new child and starts reading; call `releaseChildFds` once spawned. */
  openChildFds(): ChildFds {
    ensureFifos([this.paths.fifo.out, this.paths.fifo.err]);
    for (const stream of ['out', 'err'] as const) {
      const reader = this.#readers[stream];
      if (!this.#throughProc[stream] || !reader) continue;
      this.#draining.add(reader);
      delete this.#readers[stream];
      delete this.#throughProc[stream];
    }
    const out = openFifoForChild(this.paths.fifo.out);
    const err = openFifoForChild(this.paths.fifo.err);
    // The read ends must be opened while a writer exists, or they would see EOF at once.
    this.attach();
    return { out, err };
  }

  releaseChildFds(fds: ChildFds): void {
    closeSync(fds.out);
    closeSync(fds.err);
  }

  /** Starts draining the FIFOs (idempotent). Used at spawn and when adopting a running program. */
  attach(pid?: number): void {
    this.#attachStream('out', pid);
    this.#attachStream('err', pid);
  }

  /** Stops reading; whatever the program writes next waits in the kernel for the next reader. */
  detach(): void {
    for (const stream of ['out', 'err'] as const) {
      this.#readers[stream]?.destroy();
      delete this.#readers[stream];
      delete this.#throughProc[stream];
      this.#flushPartial(stream);
    }
    for (const reader of this.#draining) reader.destroy();
    this.#draining.clear();
    for (const file of this.files) file.close();
  }

  removeFifos(): void {
    removeQuietly(this.paths.fifo.out);
    removeQuietly(this.paths.fifo.err);
  }

  rotate(): void {
    for (const file of this.files) file.rotate();
  }

  /** Live records for `tend logs -f`; returns the unsubscribe function. */
  subscribe(listener: (record: LogRecord) => void): () => void {
    this.#subscribers.add(listener);
    return () => {
      this.#subscribers.delete(listener);
      if (this.#subscribers.size === 0) {
        this.#recordSplitters.out.takePartial();
        this.#recordSplitters.err.takePartial();
      }
    };
  }

  /** The hot path: one chunk read from a FIFO. */
  #onChunk(stream: StreamName, chunk: Buffer): void {
    if (this.#lineMode) this.#writeLines(stream, chunk);
    else this.#targets[stream].write(chunk);
    if (this.#subscribers.size > 0) this.#publish(stream, chunk);
  }

  #writeLines(stream: StreamName, input: Buffer): void {
    const splitter = this.#splitters[stream];
    // A partial line already written out as a line of its own is finished by this newline.
    const chunk = this.#endedEarly[stream] && input[0] === 0x0a ? input.subarray(1) : input;
    this.#endedEarly[stream] = false;
    const time = this.#clock.now();
    const parts: Buffer[] = [];
    splitter.push(chunk, (line) => this.#format(parts, stream, line, time));
    if (splitter.partialLength >= MAX_LINE_BYTES) {
      this.#format(parts, stream, splitter.takePartial() as Buffer, time);
      this.#endedEarly[stream] = true;
    }
    if (parts.length > 0)
      this.#targets[stream].write(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
    this.#armPartialFlush(stream);
  }

  #format(parts: Buffer[], stream: StreamName, line: Buffer, time: number): void {
    const options = this.#options;
    if (options.format === 'json') {
      const record = { time: this.#isoTime(time), stream, line: line.toString('utf8') };
      parts.push(Buffer.from(`${JSON.stringify(record)}\n`));
      return;
    }
    if (options.timestamps) parts.push(this.#timePrefix(time));
    parts.push(line, NEWLINE);
  }

  // Lines read together share one timestamp, formatted once.
  #isoTime(time: number): string {
    if (this.#timeCache.time !== time)
      this.#timeCache = { time, iso: new Date(time).toISOString(), prefix: null };
    return this.#timeCache.iso;
  }

  #timePrefix(time: number): Buffer {
    this.#isoTime(time);
    this.#timeCache.prefix ??= Buffer.from(`${this.#timeCache.iso} `);
    return this.#timeCache.prefix;
  }

  #armPartialFlush(stream: StreamName): void {
    const pending = this.#splitters[stream].partialLength > 0;
    const timer = this.#partialTimers[stream];
    if (!pending) {
      timer?.cancel();
      delete this.#partialTimers[stream];
      return;
    }
    if (timer) return;
    this.#partialTimers[stream] = this.#clock.setTimer(
      PARTIAL_FLUSH_MS,
      () => {
        delete this.#partialTimers[stream];
        this.#flushPartial(stream);
      },
      { background: true },
    );
  }

  #flushPartial(stream: StreamName): void {
    this.#partialTimers[stream]?.cancel();
    delete this.#partialTimers[stream];
    const partial = this.#splitters[stream].takePartial();
    if (!partial) return;
    this.#endedEarly[stream] = true;
    const parts: Buffer[] = [];
    this.#format(parts, stream, partial, this.#clock.now());
    this.#targets[stream].write(Buffer.concat(parts));
  }

  #publish(stream: StreamName, chunk: Buffer): void {
    const time = this.#clock.now();
    const records: LogRecord[] = [];
    this.#recordSplitters[stream].push(chunk, (line) =>
      records.push({ time, stream, line: line.toString('utf8') }),
    );
    for (const record of records) for (const listener of this.#subscribers) listener(record);
  }

  #openFifo(stream: StreamName): number | null {
    try {
      return openFifoForReading(this.paths.fifo[stream]);
    } catch {
      return null;
    }
  }

  /**
   * An adopted program whose FIFO was removed (or replaced) while no daemon read it would block on
   * a full pipe nobody reads: its pipe is read through /proc instead, the path is made again for
   * the next start, and the fault is reported either way.
   */
  #openAdopted(stream: StreamName, pid: number): number | null {
    const path = this.paths.fifo[stream];
    const pipe = openProgramPipe(path, pid, stream === 'out' ? 1 : 2);
    if (pipe === 'same') return this.#openFifo(stream);
    try {
      ensureFifos([path]);
    } catch {
      // reported below; the next start tries again
    }
    if (pipe === 'lost') {
      this.#onFifoFault(
        `the FIFO ${path} was removed while the program ran, and its output cannot be reached: it is not read until the program restarts`,
      );
      return null;
    }
    this.#throughProc[stream] = true;
    this.#onFifoFault(
      `the FIFO ${path} was removed while the program ran; its output is read through /proc/${pid}/fd/${stream === 'out' ? 1 : 2}, and the FIFO is made again for the next start`,
    );
    return pipe;
  }

  #attachStream(stream: StreamName, pid?: number): void {
    if (this.#readers[stream]) return;
    const fd = pid === undefined ? this.#openFifo(stream) : this.#openAdopted(stream, pid);
    if (fd === null) return;
    // Forgotten at EOF, not later at 'close': a program restarted in between must get a new reader.
    let reader: { destroy(): void } | undefined;
    const onEnd = () => {
      if (reader) this.#draining.delete(reader);
      if (!reader || this.#readers[stream] !== reader) return;
      delete this.#readers[stream];
      delete this.#throughProc[stream];
      this.#flushPartial(stream);
      this.#onEof();
    };
    const file = this.#spliced[stream];
    if (file && this.#drain) {
      const pipe: PipeReader = new PipeReader(fd, this.#drain, {
        onChunk: (source, length) => {
          if (this.#subscribers.size === 0 && file.spliceBlind(source, length)) return;
          // A look is needed (a rotation is due, or `tend logs -f` listens): move what was seen.
          const seen = pipe.peek(length);
          // Subscribers get their own copy: the peeked one is reused by the next chunk.
          if (this.#subscribers.size > 0) this.#publish(stream, Buffer.from(seen));
          file.spliceFrom(source, seen);
        },
        onEnd,
      });
      reader = pipe;
    } else {
      const socket = new Socket({ fd, readable: true, writable: false });
      socket.on('data', (chunk: Buffer) => this.#onChunk(stream, chunk));
      socket.on('error', () => socket.destroy());
      socket.on('end', onEnd);
      socket.on('close', onEnd);
      reader = socket;
    }
    this.#readers[stream] = reader;
  }
}

/** Forwards lines to the daemon's own output as `name | line` (what containers collect). */
class ConsoleTarget implements Target {
  #write: (data: Buffer) => void;
  #prefix: Buffer;
  constructor(write: (data: Buffer) => void, name: string) {
    this.#write = write;
    this.#prefix = Buffer.from(`${name} | `);
  }
  write(data: Buffer): void {
    // data holds whole lines; prefix each one.
    const parts: Buffer[] = [];
    let start = 0;
    for (let end = data.indexOf(0x0a); end !== -1; end = data.indexOf(0x0a, start)) {
      parts.push(this.#prefix, data.subarray(start, end + 1));
      start = end + 1;
    }
    if (start < data.length) parts.push(this.#prefix, data.subarray(start), NEWLINE);
    this.#write(Buffer.concat(parts));
  }
}
