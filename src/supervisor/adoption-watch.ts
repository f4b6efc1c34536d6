import type { System, TimerHandle } from './system.js';

// An adopted process is not our child, so the kernel does not report its exit to us by SIGCHLD.
// A pidfd does (Linux ≥ 5.3): no timer at all. Elsewhere a light poll of /proc notices it, faster
// while a stop is under way, and a FIFO end-of-file (checkNow) is a hint to look at once.

export const ADOPTED_POLL_MS = 1000;
export const ADOPTED_STOPPING_POLL_MS = 50;

export interface AdoptionHooks {
  /** True while the program is stopping: the poll then looks every ADOPTED_STOPPING_POLL_MS. */
  isStopping(): boolean;
  /** The process is gone (or its pid now names another process). Called at most once. */
  onGone(): void;
}

export class AdoptionWatch {
  #system: System;
  #pid: number;
  #startTime: number | null;
  #hooks: AdoptionHooks;
  #timer: TimerHandle | null = null;
  #byPidfd = false;
  #done = false;

  constructor(system: System, process: { pid: number; startTime: number | null }, hooks: AdoptionHooks) {
    this.#system = system;
    this.#pid = process.pid;
    this.#startTime = process.startTime;
    this.#hooks = hooks;
  }

  start(): void {
    const watch = this.#system.watchExit?.(this.#pid, () => this.#gone());
    if (watch) {
      this.#timer = watch;
      this.#byPidfd = true;
      // The pidfd names whatever had this pid when it was opened: make sure that is still our process.
      this.checkNow();
      return;
    }
    this.#schedulePoll();
  }

  /** Looks at once whether the process is still there. */
  checkNow(): void {
    if (!this.#done && !this.#system.isSameProcess(this.#pid, this.#startTime)) this.#gone();
  }

  /** Called when a stop is requested, so the end is noticed quickly where there is no pidfd. */
  pollSoon(): void {
    if (this.#done || this.#byPidfd) return;
    this.#timer?.cancel();
    this.#schedulePoll();
  }

  cancel(): void {
    this.#done = true;
    this.#timer?.cancel();
    this.#timer = null;
  }

  #schedulePoll(): void {
    const interval = this.#hooks.isStopping() ? ADOPTED_STOPPING_POLL_MS : ADOPTED_POLL_MS;
    this.#timer = this.#system.setTimer(interval, () => {
      this.#timer = null;
      this.checkNow();
      if (!this.#done) this.#schedulePoll();
    });
  }

  #gone(): void {
    if (this.#done) return;
    this.cancel();
    this.#hooks.onGone();
  }
}
