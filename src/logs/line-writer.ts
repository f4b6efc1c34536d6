import type { Clock, TimerHandle } from '../clock.js';
import type { StreamName } from './capture.js';
import { LineSplitter } from './line-splitter.js';
import type { LogOptions } from './log-options.js';

// The formatted path of a capture (timestamps, JSON lines, merged streams, the console target): the
// output is cut into lines and each is written as a line of its own, so stdout and stderr merged into
// one target never tear a line. Still one write per chunk read: the lines read together are joined,
// and share one timestamp, formatted once. A partial line is held for PARTIAL_FLUSH_MS at most, or
// until it reaches MAX_LINE_BYTES, and then written as a line.

export const PARTIAL_FLUSH_MS = 250;
export const MAX_LINE_BYTES = 64 * 1024;

/** Where a stream's bytes go: a LogFile, or the console. */
export interface Target {
  write(data: Buffer): void;
}

const NEWLINE = Buffer.from('\n');

export class LineWriter {
  #options: LogOptions;
  #clock: Clock;
  #targets: Record<StreamName, Target>;
  #splitters: Record<StreamName, LineSplitter> = { out: new LineSplitter(), err: new LineSplitter() };
  #partialTimers: Partial<Record<StreamName, TimerHandle>> = {};
  #endedEarly: Record<StreamName, boolean> = { out: false, err: false };
  #timeCache: { time: number; iso: string; prefix: Buffer | null } = { time: -1, iso: '', prefix: null };

  constructor(options: LogOptions, clock: Clock, targets: Record<StreamName, Target>) {
    this.#options = options;
    this.#clock = clock;
    this.#targets = targets;
  }

  /** One chunk read from a stream: its whole lines are written now, a partial one is held. */
  write(stream: StreamName, input: Buffer): void {
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

  /** Writes the partial line held for a stream (if any) as a line, now. */
  flushPartial(stream: StreamName): void {
    this.#partialTimers[stream]?.cancel();
    delete this.#partialTimers[stream];
    const partial = this.#splitters[stream].takePartial();
    if (!partial) return;
    this.#endedEarly[stream] = true;
    const parts: Buffer[] = [];
    this.#format(parts, stream, partial, this.#clock.now());
    this.#targets[stream].write(Buffer.concat(parts));
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
        this.flushPartial(stream);
      },
      { background: true },
    );
  }
}
