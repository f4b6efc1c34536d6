import { Cron } from 'croner';
import { BadArgumentError } from '../errors.js';
import { parseDuration } from '../units.js';

// Timed events: a list kept sorted by due time and ONE timer armed for the earliest entry, so a
// daemon with a thousand timed events still has one setTimeout and no polling loop. The clock is
// injected so tests can move time by hand.

// setTimeout's largest delay; a later entry re-arms when this fires early.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Time and timers, injected so tests can use a fake clock.
 *
 * @example
 * const clock: Clock = { now: () => fakeNow, setTimer: (callback, ms) => fake.add(callback, ms), clearTimer: (id) => fake.remove(id) };
 * createDaemon({ name: 'test', clock });
 */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How often an `every` entry comes back: a fixed interval or a cron expression. */
export type Repeat = { kind: 'interval'; ms: number } | { kind: 'cron'; expression: string; cron: Cron };

export interface TimedEntry {
  readonly id: number;
  readonly event: string;
  readonly payload: unknown;
  dueAt: number;
  readonly repeat: Repeat | null;
}

/**
 * Returned by `scheduleAfter`, `scheduleAt` and `every`: cancels the timed event (and its repeats).
 *
 * @example
 * const poll = daemon.every('30s', 'poll');
 * daemon.onStop(() => poll.cancel());
 */
export interface TimedEventHandle {
  readonly id: number;
  /** When it fires next; null once cancelled or done. */
  readonly nextAt: Date | null;
  cancel(): void;
}

/**
 * A pending timed event as the state dump shows it (`every`: the interval in ms or the cron expression).
 *
 * @example
 * const next: TimedEventInfo = dump.timed[0]; // { id: 1, event: 'poll', payload: null, dueAt: '2030-...', every: 30000 }
 */
export interface TimedEventInfo {
  id: number;
  event: string;
  payload: unknown;
  dueAt: string;
  every: number | string | null;
}

/** Parses `every`'s first argument: milliseconds, a duration (`'10s'`, `'5m'`) or a cron expression. */
export function parseRepeat(spec: number | string): Repeat {
  const ms = parseDuration(spec);
  if (ms !== undefined) {
    if (ms <= 0)
      throw new BadArgumentError(`every(${JSON.stringify(spec)}): the interval must be above 0 ms`);
    return { kind: 'interval', ms };
  }
  if (typeof spec !== 'string') throw new BadArgumentError(`every(${spec}): not an interval`);
  try {
    return { kind: 'cron', expression: spec, cron: new Cron(spec) };
  } catch (error) {
    throw new BadArgumentError(
      `every("${spec}"): neither a duration (such as 500ms, 10s, 5m) nor a cron expression: ${(error as Error).message}`,
    );
  }
}

/** The next due time after `dueAt` (missed runs are skipped, not replayed), or null when there is none. */
export function getNextDue(repeat: Repeat, dueAt: number, now: number): number | null {
  if (repeat.kind === 'interval') {
    const missed = Math.max(0, Math.floor((now - dueAt) / repeat.ms));
    return dueAt + (missed + 1) * repeat.ms;
  }
  return repeat.cron.nextRun(new Date(Math.max(now, dueAt)))?.getTime() ?? null;
}

export class Timetable {
  readonly #clock: Clock;
  readonly #onDue: (entry: TimedEntry) => void;
  #entries: TimedEntry[] = [];
  #timer: unknown = null;
  #timerAt = Number.POSITIVE_INFINITY;
  #nextId = 1;

  /** `onDue` is called for each entry whose time has come, in due order. */
  constructor(clock: Clock, onDue: (entry: TimedEntry) => void) {
    this.#clock = clock;
    this.#onDue = onDue;
  }

  get size(): number {
    return this.#entries.length;
  }

  add(event: string, payload: unknown, dueAt: number, repeat: Repeat | null): TimedEventHandle {
    const entry: TimedEntry = { id: this.#nextId++, event, payload, dueAt, repeat };
    this.#insert(entry);
    this.#arm();
    const entries = () => this.#entries;
    return {
      id: entry.id,
      get nextAt() {
        return entries().includes(entry) ? new Date(entry.dueAt) : null;
      },
      cancel: () => this.#remove(entry),
    };
  }

  list(): TimedEventInfo[] {
    return this.#entries.map((entry) => ({
      id: entry.id,
      event: entry.event,
      payload: entry.payload,
      dueAt: new Date(entry.dueAt).toISOString(),
      every:
        entry.repeat === null
          ? null
          : entry.repeat.kind === 'interval'
            ? entry.repeat.ms
            : entry.repeat.expression,
    }));
  }

  clear(): void {
    this.#entries = [];
    this.#disarm();
  }

  #insert(entry: TimedEntry): void {
    // Binary search for the first entry due later: equal due times keep their insertion order.
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#entries[middle]?.dueAt ?? 0) <= entry.dueAt) low = middle + 1;
      else high = middle;
    }
    this.#entries.splice(low, 0, entry);
  }

  #remove(entry: TimedEntry): void {
    const index = this.#entries.indexOf(entry);
    if (index === -1) return;
    this.#entries.splice(index, 1);
    this.#arm();
  }

  #arm(): void {
    const first = this.#entries[0];
    if (!first) {
      this.#disarm();
      return;
    }
    if (this.#timer !== null && this.#timerAt === first.dueAt) return;
    this.#disarm();
    const delay = Math.min(Math.max(0, first.dueAt - this.#clock.now()), MAX_TIMER_MS);
    this.#timerAt = first.dueAt;
    this.#timer = this.#clock.setTimer(() => this.#fire(), delay);
  }

  #disarm(): void {
    if (this.#timer !== null) this.#clock.clearTimer(this.#timer);
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #fire(): void {
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    const due: TimedEntry[] = [];
    while (this.#entries[0] && this.#entries[0].dueAt <= now) due.push(this.#entries.shift() as TimedEntry);
    for (const entry of due) {
      if (entry.repeat === null) continue;
      const next = getNextDue(entry.repeat, entry.dueAt, now);
      if (next === null) continue;
      entry.dueAt = next;
      this.#insert(entry);
    }
    this.#arm();
    for (const entry of due) this.#onDue(entry);
  }
}
