import type { MachineEvent, Timer } from './states.js';
import type { System, TimerHandle } from './system.js';

// The timers the table arms for one program (start and stop deadlines, backoff, watchdog, a reload's
// deadlines): at most one of each kind, each firing as the table's event of that name.

const TIMER_EVENTS: Record<Timer, MachineEvent['type']> = {
  ready: 'ready',
  backoff: 'backoff-elapsed',
  'stop-deadline': 'stop-timeout',
  'start-deadline': 'start-timeout',
  watchdog: 'watchdog-timeout',
  'next-ready': 'next-ready',
  'next-deadline': 'next-timeout',
};

export class ProgramTimers {
  #system: System;
  #dispatch: (event: MachineEvent) => void;
  #timers: Partial<Record<Timer, TimerHandle>> = {};

  constructor(system: System, dispatch: (event: MachineEvent) => void) {
    this.#system = system;
    this.#dispatch = dispatch;
  }

  /** Arms `timer` afresh (one armed before is cancelled). */
  arm(timer: Timer, ms: number): void {
    this.#timers[timer]?.cancel();
    this.#timers[timer] = this.#system.setTimer(ms, () => {
      delete this.#timers[timer];
      this.#dispatch({ type: TIMER_EVENTS[timer] } as MachineEvent);
    });
  }

  cancel(timer: Timer): void {
    this.#timers[timer]?.cancel();
    delete this.#timers[timer];
  }

  cancelAll(): void {
    for (const timer of Object.values(this.#timers)) timer?.cancel();
    this.#timers = {};
  }
}
