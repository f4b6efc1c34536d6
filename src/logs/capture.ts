import { closeSync } from 'node:fs';
import type { Clock } from '../clock.js';
import { getPipeDrain, type PipeDrainHelper } from '../native.js';
import { ConsoleTarget } from './console-target.js';
import { ensureFifos, openFifoForChild, openFifoForReading, openProgramPipe, removeQuietly } from './fifo.js';
import { LineSplitter } from './line-splitter.js';
import { LineWriter, type Target } from './line-writer.js';
import { LogFile, type LogFileHooks } from './log-file.js';
import { CONSOLE_TARGET, type LogOptions, needsLines } from './log-options.js';
import { startReadPath } from './read-path.js';
import { startSpliceReader } from './splice-path.js';

// The capture path of one program: two FIFOs (stdout, stderr) drained into their targets.
// The daemon's read end is attached for as long as any process of the program holds the FIFO;
// when the last writer goes away the reader sees EOF, which is also a hint that the program exited.
//
// Raw output into a file of its own goes from the FIFO into the file by splice(2) where the native
// helper has it (Linux): a daemon SIGKILLed at any instant loses no byte (splice-path.ts); else it
// is written exactly as read, one write(2) per chunk. Timestamps, JSON lines, merged streams and the
// console target work line by line (line-writer.ts), still one write per chunk.

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

export class OutputCapture implements Capture {
  readonly paths: CapturePaths;
  readonly files: LogFile[] = [];
  #targets: Record<StreamName, Target>;
  #lineMode: boolean;
  /** The formatted path, in line mode; null when bytes go to their targets as read. */
  #lines: LineWriter | null;
  #recordSplitters: Record<StreamName, LineSplitter> = { out: new LineSplitter(), err: new LineSplitter() };
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
    this.#lines = this.#lineMode ? new LineWriter(options, hooks.clock, this.#targets) : null;
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
      this.#lines?.flushPartial(stream);
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

  /** The hot path without splice: one chunk read from a FIFO (read-path.ts), valid while this runs. */
  #onChunk(stream: StreamName, chunk: Buffer): void {
    if (this.#lines) this.#lines.write(stream, chunk);
    else this.#targets[stream].write(chunk);
    if (this.#subscribers.size > 0) this.#publish(stream, chunk);
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
      this.#lines?.flushPartial(stream);
      this.#onEof();
    };
    const file = this.#spliced[stream];
    if (file && this.#drain) {
      reader = startSpliceReader(
        fd,
        this.#drain,
        file,
        { isListening: () => this.#subscribers.size > 0, publish: (chunk) => this.#publish(stream, chunk) },
        onEnd,
      );
    } else {
      reader = startReadPath(fd, (chunk) => this.#onChunk(stream, chunk), onEnd);
    }
    this.#readers[stream] = reader;
  }
}
