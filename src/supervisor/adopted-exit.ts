import { AdoptionWatch } from './adoption-watch.js';
import type { System } from './system.js';

// The one AdoptionWatch of a main process that is not our child (adopted from a previous daemon, or
// named by MAINPID= or a pid file): started, hinted and cancelled here, so the main process keeps one
// field for it and never a null to check.

export class AdoptedExit {
  #system: System;
  #hooks: { isStopping(): boolean; onGone(pid: number): void };
  #watch: AdoptionWatch | null = null;

  /** onGone: the watched process is gone (or its pid names another process now); once per watch. */
  constructor(system: System, hooks: { isStopping(): boolean; onGone(pid: number): void }) {
    this.#system = system;
    this.#hooks = hooks;
  }

  /** Whether the current main process is watched this way (it is not our child). */
  get isWatching(): boolean {
    return this.#watch !== null;
  }

  /** An adopted process is not our child: its end is watched by pidfd, or polled. */
  watch(pid: number, startTime: number | null): void {
    this.#watch = new AdoptionWatch(
      this.#system,
      { pid, startTime },
      { isStopping: () => this.#hooks.isStopping(), onGone: () => this.#hooks.onGone(pid) },
    );
    this.#watch.start();
  }

  checkNow(): void {
    this.#watch?.checkNow();
  }

  pollSoon(): void {
    this.#watch?.pollSoon();
  }

  cancel(): void {
    this.#watch?.cancel();
    this.#watch = null;
  }

  /** Hands the current watch over (a reload's old process keeps it until it is retired). */
  takeWatch(): AdoptionWatch | null {
    const watch = this.#watch;
    this.#watch = null;
    return watch;
  }
}
