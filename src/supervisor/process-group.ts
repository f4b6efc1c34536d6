import type { ProcessTree } from '../process/process-tree.js';
import type { System, TimerHandle } from './system.js';

// Signals to a program's process group: a stop reaches every process of the group, and after the
// main process has gone whatever is left of its group is stopped too (SIGKILL at the stop timeout).

export class ProcessGroup {
  #system: System;
  /** SIGKILL timers armed for leftovers, so release() can cancel them. */
  #reapTimers = new Set<TimerHandle>();

  #tree: ProcessTree | null;

  /** `tree` reaches the program's processes that left its group (its cgroup, or a /proc sweep). */
  constructor(system: System, tree: ProcessTree | null = null) {
    this.#system = system;
    this.#tree = tree;
  }

  /** Signals the group; a group can be empty while its leader is a zombie not yet reaped, then the leader. */
  kill(pgid: number | null, leaderPid: number | null, signal: NodeJS.Signals): void {
    if (pgid !== null && !this.#system.kill(-pgid, signal) && leaderPid === pgid)
      this.#system.kill(pgid, signal);
    this.#tree?.signalOthers(pgid, signal);
  }

  /** Signals what is left of an exited program's group, and SIGKILLs it after `killAfterMs`. */
  reap(pgid: number | null, signal: NodeJS.Signals, killAfterMs: number): void {
    // An empty cgroup holds nothing of the group either: nothing to signal (and no failed kill to pay
    // for on the way to a crash-restart).
    if (this.#tree?.tracking.mode === 'cgroup' && this.#tree.countAlive() === 0) return;
    const inGroup = pgid !== null && this.#system.kill(-pgid, signal);
    const outside = this.#tree?.signalOthers(pgid, signal) ?? false;
    if ((!inGroup && !outside) || signal === 'SIGKILL') return;
    const timer = this.#system.setTimer(killAfterMs, () => {
      this.#reapTimers.delete(timer);
      if (pgid !== null) this.#system.kill(-pgid, 'SIGKILL');
      this.#tree?.signalOthers(pgid, 'SIGKILL');
    });
    this.#reapTimers.add(timer);
  }

  /** Forgets the leftovers: no SIGKILL will come from this daemon. */
  cancel(): void {
    for (const timer of this.#reapTimers) timer.cancel();
    this.#reapTimers.clear();
  }
}
