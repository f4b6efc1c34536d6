import { performance } from 'node:perf_hooks';
import { BadArgumentError } from '../errors.js';
import type { EventHandler, HandlerContext } from './event-handler.js';
import {
  type Clock,
  parseRepeat,
  systemClock,
  type TimedEventHandle,
  type TimedEventInfo,
  Timetable,
} from './schedule.js';
import { createEventStats, type EventStatsRecorder } from './stats.js';

export type { EventHandler, HandlerContext } from './event-handler.js';

// The event queue (ZenDaemon's heart): events wait in line and run one at a time, so handlers never
// race each other. The handlers of one event form a pipeline in registration order. Three lanes:
// urgent (signals, first come first served, ahead of everything), then the main line, whose front
// `scheduleNext` pushes to and whose back `schedule` appends to. Timed events join the back when due.
// What a handler is given and returns is event-handler.ts.

export interface EventQueueOptions {
  clock?: Clock;
  stats?: EventStatsRecorder;
  /** Called when a handler throws or rejects; that event's pipeline ends there. */
  onError?(event: string, error: unknown): void;
  /** Hold events (they queue up, timed ones included) until `resume()`; the daemon resumes in `run()`. */
  paused?: boolean;
}

interface QueuedEvent {
  readonly event: string;
  readonly payload: unknown;
}

/**
 * A standalone event queue (each daemon has one; its methods are on the daemon object).
 *
 * @example
 * const queue = new EventQueue({ onError: (event, error) => console.error(event, error) });
 * queue.on('greet', (name: string) => `hello ${name}`);
 * queue.on('greet', (_name: string, text?: string) => console.log(text));
 * queue.schedule('greet', 'world');
 * await queue.whenIdle();
 */
export class EventQueue {
  readonly #handlers = new Map<string, EventHandler[]>();
  readonly #urgent: QueuedEvent[] = [];
  readonly #line: QueuedEvent[] = [];
  readonly #timetable: Timetable;
  readonly #clock: Clock;
  readonly #stats: EventStatsRecorder;
  readonly #onError: (event: string, error: unknown) => void;
  #draining = false;
  #paused: boolean;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(options: EventQueueOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#stats = options.stats ?? createEventStats();
    this.#onError = options.onError ?? (() => {});
    this.#paused = options.paused ?? false;
    this.#timetable = new Timetable(this.#clock, ({ event, payload }) =>
      this.#enqueue(this.#line, { event, payload }, 'back'),
    );
  }

  /** Events waiting to run (not counting timed events not yet due, nor the one running). */
  get length(): number {
    return this.#urgent.length + this.#line.length;
  }

  get timedCount(): number {
    return this.#timetable.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Adds a handler at the end of the event's pipeline; returns a function that removes it. */
  on<P = unknown, Previous = unknown>(event: string, handler: EventHandler<P, Previous>): () => void {
    validateEvent(event);
    const handlers = this.#handlers.get(event) ?? [];
    handlers.push(handler as EventHandler);
    this.#handlers.set(event, handlers);
    return () => {
      const index = handlers.indexOf(handler as EventHandler);
      if (index !== -1) handlers.splice(index, 1);
    };
  }

  schedule(event: string, payload?: unknown): void {
    this.#enqueue(this.#line, { event, payload }, 'back');
  }

  scheduleNext(event: string, payload?: unknown): void {
    this.#enqueue(this.#line, { event, payload }, 'front');
  }

  /** Ahead of every other queued event, first come first served: how signals arrive. */
  scheduleUrgent(event: string, payload?: unknown): void {
    this.#enqueue(this.#urgent, { event, payload }, 'back');
  }

  scheduleAfter(ms: number, event: string, payload?: unknown): TimedEventHandle {
    if (!Number.isFinite(ms) || ms < 0) throw new BadArgumentError(`scheduleAfter(${ms}): not a delay in ms`);
    return this.#addTimed(event, payload, this.#clock.now() + ms, null);
  }

  scheduleAt(date: Date | number, event: string, payload?: unknown): TimedEventHandle {
    const at = typeof date === 'number' ? date : date.getTime();
    if (!Number.isFinite(at)) throw new BadArgumentError(`scheduleAt(${String(date)}): not a valid date`);
    return this.#addTimed(event, payload, at, null);
  }

  /** Repeats every `interval` (ms, or a duration such as `'10s'`) or by a cron expression; the first run is one interval (or the next cron time) from now. */
  every(interval: number | string, event: string, payload?: unknown): TimedEventHandle {
    const repeat = parseRepeat(interval);
    const now = this.#clock.now();
    const first =
      repeat.kind === 'interval' ? now + repeat.ms : (repeat.cron.nextRun(new Date(now))?.getTime() ?? null);
    if (first === null) throw new BadArgumentError(`every("${interval}"): the cron expression never fires`);
    return this.#addTimed(event, payload, first, repeat);
  }

  /** What waits, in the order it will run. */
  listQueued(): QueuedEvent[] {
    return [...this.#urgent, ...this.#line].map(({ event, payload }) => ({ event, payload }));
  }

  listTimed(): TimedEventInfo[] {
    return this.#timetable.list();
  }

  getStats(): EventStatsRecorder {
    return this.#stats;
  }

  /** Starts running events when the queue was created paused. */
  resume(): void {
    this.#paused = false;
    this.#kick();
  }

  /** Resolves when nothing is queued and nothing runs (a paused queue with events waits for `resume()`). */
  whenIdle(): Promise<void> {
    if (!this.#draining && this.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Accepts nothing more, cancels every timed event and drops what waits; returns how many were dropped. The running event finishes. */
  close(): number {
    const dropped = this.length + this.#timetable.size;
    this.#closed = true;
    this.#urgent.length = 0;
    this.#line.length = 0;
    this.#timetable.clear();
    return dropped;
  }

  #addTimed(event: string, payload: unknown, dueAt: number, repeat: ReturnType<typeof parseRepeat> | null) {
    validateEvent(event);
    if (this.#closed) return { id: 0, nextAt: null, cancel() {} };
    return this.#timetable.add(event, payload, dueAt, repeat);
  }

  #enqueue(lane: QueuedEvent[], item: QueuedEvent, where: 'front' | 'back'): void {
    validateEvent(item.event);
    if (this.#closed) return;
    if (where === 'front') lane.unshift(item);
    else lane.push(item);
    this.#kick();
  }

  #kick(): void {
    if (this.#draining || this.#paused || this.length === 0) return;
    this.#draining = true;
    // Never run a handler in the caller's stack (a signal listener, another handler): next turn.
    setImmediate(() => void this.#drain());
  }

  async #drain(): Promise<void> {
    for (let item = this.#next(); item; item = this.#next()) await this.#dispatch(item);
    this.#draining = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #next(): QueuedEvent | undefined {
    return this.#urgent.shift() ?? this.#line.shift();
  }

  async #dispatch({ event, payload }: QueuedEvent): Promise<void> {
    const handlers = [...(this.#handlers.get(event) ?? [])];
    const started = performance.now();
    let failed = false;
    let stopped = false;
    const ctx: HandlerContext = {
      event,
      stop: () => {
        stopped = true;
      },
    };
    try {
      let result: unknown;
      for (const handler of handlers) {
        result = await handler(payload, result, ctx);
        if (stopped) break;
      }
    } catch (error) {
      failed = true;
      try {
        this.#onError(event, error);
      } catch {
        // a failing error reporter must not stop the queue
      }
    }
    this.#stats.record(event, performance.now() - started, failed);
  }
}

function validateEvent(event: string): void {
  if (typeof event !== 'string' || event.length === 0) {
    throw new BadArgumentError(`An event name must be a non-empty string, not ${JSON.stringify(event)}`);
  }
}
