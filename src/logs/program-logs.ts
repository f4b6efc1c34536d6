import type { Clock } from '../clock.js';
import type { ProgramSpec } from '../config/program-schema.js';
import { getProgramFifoPaths, getProgramLogPaths, type TendPaths } from '../paths.js';
import { OutputCapture, type StreamName } from './capture.js';
import { scheduleDaily } from './daily.js';
import { type FileCursor, FileFollower, formatCursor } from './file-follow.js';
import type { LogFault } from './log-file.js';
import { collectTail, type LogLine, type TailQuery } from './program-tail.js';
import { parseLine } from './tail.js';

// The log side of every program: builds each program's capture, tracks write faults (reported as
// notes in the program's history and shown by `show`), rotates daily, flushes on request, and
// serves `tend logs` (the last lines, then live ones) to the API.

export interface LogNote {
  readonly program: string;
  readonly event: 'log-fault' | 'log-recovered' | 'fifo-fault';
  readonly message: string;
}

export interface LogFaultView {
  readonly path: string;
  readonly error: string;
  readonly droppedBytes: number;
  readonly since: string;
}

/** What `tend logs -f` follows: these streams, each log from its cursor in `after` (by `NAME:out`) if any. */
export interface FollowQuery {
  readonly streams: ReadonlySet<StreamName>;
  readonly after: ReadonlyMap<string, FileCursor>;
}

/** A followed line: `cursor` (`out:INODE:OFFSET`) is where its log file stood after it. */
export interface FollowLine extends LogLine {
  readonly cursor?: string;
}

/** Sent first for each followed log file: where the follow starts (no line). */
export interface FollowStart {
  readonly program: string;
  readonly cursor: string;
}

export interface ProgramLogTargets {
  readonly out: string;
  readonly err: string;
}

export class ProgramLogs {
  #paths: TendPaths;
  #onNote: (note: LogNote) => void;
  #writeConsole: (data: Buffer) => void;
  #clock: Clock;
  #captures = new Map<string, OutputCapture>();
  #specs = new Map<string, ProgramSpec>();
  #faults = new Map<string, Map<string, LogFaultView>>();
  #daily: { cancel(): void } | null = null;

  constructor(
    paths: TendPaths,
    hooks: { onNote: (note: LogNote) => void; writeConsole: (data: Buffer) => void; clock: Clock },
  ) {
    this.#paths = paths;
    this.#clock = hooks.clock;
    this.#onNote = hooks.onNote;
    this.#writeConsole = hooks.writeConsole;
  }

  /** Where each stream goes: a file path, /dev/null, or "console". Merged stderr follows stdout. */
  getTargets(spec: ProgramSpec): ProgramLogTargets {
    const defaults = getProgramLogPaths(this.#paths, spec.name);
    const out = spec.logs.out ?? defaults.out;
    return { out, err: spec.logs.merge ? out : (spec.logs.err ?? defaults.err) };
  }

  create(spec: ProgramSpec, onEof: () => void): OutputCapture {
    const targets = this.getTargets(spec);
    const capture = new OutputCapture(
      spec.name,
      { fifo: getProgramFifoPaths(this.#paths, spec.name), log: targets },
      spec.logs,
      {
        onEof,
        writeConsole: this.#writeConsole,
        clock: this.#clock,
        onFault: (fault) => this.#onFault(spec.name, fault),
        onRecover: (path, dropped) => this.#onRecover(spec.name, path, dropped),
        onFifoFault: (message) => this.#onNote({ program: spec.name, event: 'fifo-fault', message }),
      },
    );
    this.#captures.set(spec.name, capture);
    this.#specs.set(spec.name, spec);
    this.#updateDaily();
    return capture;
  }

  remove(name: string): void {
    this.#captures.delete(name);
    this.#specs.delete(name);
    this.#faults.delete(name);
    this.#updateDaily();
  }

  /** The last lines of these programs' logs, interleaved by time where it is known (program-tail.ts). */
  tail(specs: readonly ProgramSpec[], query: TailQuery): LogLine[] {
    return collectTail(specs, (spec) => this.getTargets(spec), query);
  }

  /**
   * Live lines of these programs until the returned function is called. A log in a file is read on
   * from the file (file-follow.ts): from `query.after`'s cursor for it where one is given, else from
   * its end; each line carries the cursor after it, and a FollowStart gives the first. Other targets (console, /dev/…) give what the
   * capture reads, with no cursor.
   */
  follow(
    specs: readonly ProgramSpec[],
    query: FollowQuery,
    listener: (line: FollowLine | FollowStart) => void,
  ): () => void {
    const stops: (() => void)[] = [];
    for (const spec of specs) {
      const program = spec.name;
      const capture = this.#captures.get(program);
      if (!capture) continue;
      const targets = this.getTargets(spec);
      const fileStreams = spec.logs.merge ? (['out'] as const) : (['out', 'err'] as const);
      for (const fileStream of fileStreams) {
        if (!spec.logs.merge && !query.streams.has(fileStream)) continue;
        const file = capture.files.find((candidate) => candidate.path === targets[fileStream]);
        if (!file || file.path.startsWith('/dev/')) {
          stops.push(
            capture.subscribe((record) => {
              if (record.stream !== fileStream && !spec.logs.merge) return;
              if (!query.streams.has(record.stream)) return;
              listener({
                time: new Date(record.time).toISOString(),
                program,
                stream: record.stream,
                line: record.line,
              });
            }),
          );
          continue;
        }
        const follower = new FileFollower(file.path, query.after.get(`${program}:${fileStream}`) ?? null);
        const onLine = (text: string, cursor: FileCursor) => {
          const record = parseLine(text, fileStream, spec.logs);
          if (spec.logs.merge && spec.logs.format === 'json' && !query.streams.has(record.stream)) return;
          listener({
            time: new Date(record.time ?? this.#clock.now()).toISOString(),
            program,
            stream: record.stream,
            line: record.line,
            cursor: formatCursor(fileStream, cursor),
          });
        };
        const unwatch = file.watch(() => follower.read(onLine));
        // Where the follow starts, so a reconnect resumes a log that gave no line yet as well.
        listener({ program, cursor: formatCursor(fileStream, follower.cursor) });
        follower.read(onLine);
        stops.push(() => {
          unwatch();
          follower.close();
        });
      }
    }
    return () => {
      for (const stop of stops) stop();
    };
  }

  /** Current write faults, with the bytes dropped so far. */
  getFaults(name: string): LogFaultView[] {
    const files = this.#captures.get(name)?.files ?? [];
    return [...(this.#faults.get(name)?.values() ?? [])].map((fault) => ({
      ...fault,
      droppedBytes: files.find((file) => file.path === fault.path)?.droppedBytes ?? fault.droppedBytes,
    }));
  }

  /** Empties the program's log files and deletes its rotated ones (never through a planted symlink). */
  flush(name: string): string[] {
    const capture = this.#captures.get(name);
    if (!capture) return [];
    const flushed: string[] = [];
    for (const file of capture.files) {
      if (file.path.startsWith('/dev/')) continue;
      if (file.flush()) flushed.push(file.path);
    }
    return flushed;
  }

  close(): void {
    this.#daily?.cancel();
    this.#daily = null;
  }

  #onFault(name: string, fault: LogFault): void {
    const view: LogFaultView = {
      path: fault.path,
      error: fault.error.code ?? fault.error.message,
      droppedBytes: fault.droppedBytes,
      since: new Date().toISOString(),
    };
    const faults = this.#faults.get(name) ?? new Map<string, LogFaultView>();
    faults.set(fault.path, view);
    this.#faults.set(name, faults);
    this.#onNote({
      program: name,
      event: 'log-fault',
      message: `cannot write ${fault.path}: ${view.error}; output is dropped (and counted) until it can`,
    });
  }

  #onRecover(name: string, path: string, droppedBytes: number): void {
    this.#faults.get(name)?.delete(path);
    this.#onNote({
      program: name,
      event: 'log-recovered',
      message: `writing ${path} again; ${droppedBytes} bytes were dropped while it failed`,
    });
  }

  /** One timer for all programs that rotate daily, armed only while there is one. */
  #updateDaily(): void {
    const wanted = [...this.#specs.values()].some((spec) => spec.logs.rotateDaily);
    if (wanted && !this.#daily) {
      this.#daily = scheduleDaily(() => {
        for (const [name, spec] of this.#specs) if (spec.logs.rotateDaily) this.#captures.get(name)?.rotate();
      });
    } else if (!wanted && this.#daily) {
      this.#daily.cancel();
      this.#daily = null;
    }
  }
}
