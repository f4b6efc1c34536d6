import { AdoptionWatch } from './adoption-watch.js';
import type { System } from './system.js';

// The one AdoptionWatch of a main process that is not our child (adopted from a previous daemon, or
// named by MAINPID= or a pid file): started, hinted and cancelled here, so the main process keeps one
// field for it and never a null to check.

export class AdoptedExit {
  #system: System;
  #isStopping: () => boolean;
  #watch: AdoptionWatch | null = null;

  constructor(system: System, isStopping: () => boolean) {
    this.#system = system;
    this.#isStopping = isStopping;
  }

  /** Whether the current main process is watched this way (it is not our child). */
  get isWatching(): boolean {
    return this.#watch !== null;
  }

  /** An adopted process is not our child: its end is watched by pidfd, or polled. */
  watch(pid: number, startTime: number | null, onGone: () => void): void {
    this.#watch = new AdoptionWatch(
      this.#system,
      { pid, startTime },
      { isStopping: this.#isStopping, onGone },
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
