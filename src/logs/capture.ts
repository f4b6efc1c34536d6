import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { ensureFifos, openFifoForChild, openFifoForReading, removeQuietly } from './fifo.js';
import { type LogFault, LogFile } from './log-file.js';

// The capture path of one program: two FIFOs (stdout, stderr) drained into two log files.
// The daemon's read end is attached for as long as any process of the program holds the FIFO;
// when the last writer goes away the reader sees EOF, which is also a hint that the program exited.

export interface CapturePaths {
  readonly fifo: { readonly out: string; readonly err: string };
  readonly log: { readonly out: string; readonly err: string };
}

export interface ChildFds {
  readonly out: number;
  readonly err: number;
}

type StreamName = 'out' | 'err';

/** What a managed program needs from its output capture (a fake in unit tests). */
export interface Capture {
  openChildFds(): ChildFds;
  releaseChildFds(fds: ChildFds): void;
  attach(): void;
  detach(): void;
  removeFifos(): void;
}

export class OutputCapture implements Capture {
  readonly paths: CapturePaths;
  #files: Record<StreamName, LogFile>;
  #readers: Partial<Record<StreamName, Socket>> = {};
  #onEof: () => void;

  constructor(paths: CapturePaths, hooks: { onFault: (fault: LogFault) => void; onEof: () => void }) {
    this.paths = paths;
    this.#files = {
      out: new LogFile(paths.log.out, hooks.onFault),
      err: new LogFile(paths.log.err, hooks.onFault),
    };
    this.#onEof = hooks.onEof;
  }

  get droppedBytes(): number {
    return this.#files.out.droppedBytes + this.#files.err.droppedBytes;
  }

  /** Opens the write ends for a new child and starts reading; call `releaseChildFds` once spawned. */
  openChildFds(): ChildFds {
    ensureFifos([this.paths.fifo.out, this.paths.fifo.err]);
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
  attach(): void {
    this.#attachStream('out');
    this.#attachStream('err');
  }

  /** Stops reading; whatever the program writes next waits in the kernel for the next reader. */
  detach(): void {
    for (const name of ['out', 'err'] as const) {
      this.#readers[name]?.destroy();
      delete this.#readers[name];
    }
    this.#files.out.close();
    this.#files.err.close();
  }

  removeFifos(): void {
    removeQuietly(this.paths.fifo.out);
    removeQuietly(this.paths.fifo.err);
  }

  #attachStream(name: StreamName): void {
    if (this.#readers[name]) return;
    let fd: number;
    try {
      fd = openFifoForReading(this.paths.fifo[name]);
    } catch {
      return;
    }
    const file = this.#files[name];
    const reader = new Socket({ fd, readable: true, writable: false });
    reader.on('data', (chunk: Buffer) => file.write(chunk));
    reader.on('error', () => reader.destroy());
    reader.on('close', () => {
      if (this.#readers[name] !== reader) return;
      delete this.#readers[name];
      this.#onEof();
    });
    this.#readers[name] = reader;
  }
}
