import type { Clock } from './schedule.js';

// A clock for tests: time moves only when advance() says so, and timers fire in due order.

export interface FakeClock {
  readonly clock: Clock;
  /** Timers armed and not yet fired or cleared. */
  readonly pendingTimers: number;
  /** Moves time forward by `ms`, firing each timer due on the way at its own time. */
  advance(ms: number): void;
  now(): number;
}

export function createFakeClock(startMs = 0): FakeClock {
  let now = startMs;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimer(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimer(handle) {
      timers.delete(handle as number);
    },
  };
  return {
    clock,
    get pendingTimers() {
      return timers.size;
    },
    now: () => now,
    advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, timer]) => timer.at <= target)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = target;
    },
  };
}
