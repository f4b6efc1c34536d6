import type { ProgramSpec } from '../config/program-schema.js';
import type { ProgramHealth } from '../health/program-health.js';
import type { Capture } from '../logs/capture.js';
import type { ProcessTree } from '../process/process-tree.js';
import type { SpawnIntent } from '../program-record.js';
import type { ReadinessChannel } from './readiness.js';
import { type ListenFdSource, spawnProgram } from './spawn-program.js';
import type { System, TimerHandle } from './system.js';

// The new process of a replacing reload (docs/reload.md), while it is not yet the program's main
// one: spawned like any process of the program (same launch, same held sockets), with checks of its
// own. And the end of a process that is no longer wanted: the old main after a reload, or a new one
// that failed: its stop signal, SIGKILL at the stop timeout, and whatever is left of its group.

export interface CandidateProcess {
  readonly pid: number;
  readonly pgid: number;
  readonly procStartTime: number | null;
  readonly startedAt: number;
  health: ProgramHealth | null;
  /** It ended before it was ready; the table then drops it (retire-next has nothing to stop). */
  exited: boolean;
}

export function spawnCandidate(options: {
  spec: ProgramSpec;
  system: System;
  capture: Capture;
  readiness: ReadinessChannel | null;
  recordIntent: (intent: SpawnIntent) => void;
  listenFds: ListenFdSource | null;
  /** The program's cgroup (or sweep): the new process runs in it like the old one. */
  tree?: ProcessTree | null;
  onExit: (pid: number, code: number | null, signal: NodeJS.Signals | null) => void;
}): CandidateProcess | { failure: string } {
  const outcome = spawnProgram(
    options.spec,
    options.system,
    options.capture,
    options.readiness,
    options.recordIntent,
    options.listenFds,
    options.tree ?? null,
  );
  if ('failure' in outcome) return outcome;
  const pid = outcome.child.pid;
  if (pid === undefined) return { failure: 'the new process could not be started' };
  outcome.child.onExit((code, signal) => options.onExit(pid, code, signal));
  return {
    pid,
    pgid: pid,
    procStartTime: options.system.readStartTime(pid),
    startedAt: options.system.now(),
    health: null,
    exited: false,
  };
}

/** Processes on their way out: stopped gracefully, SIGKILLed at the deadline, their group reaped at exit. */
export class Retirees {
  #system: System;
  #pending = new Map<number, { pgid: number; deadline: TimerHandle; onGone: (() => void) | null }>();

  constructor(system: System) {
    this.#system = system;
  }

  has(pid: number): boolean {
    return this.#pending.has(pid);
  }

  /** `onGone`: a watch of its own to cancel at its exit (an adopted process's pidfd). */
  retire(
    pid: number,
    pgid: number,
    signal: NodeJS.Signals,
    timeoutMs: number,
    onGone: (() => void) | null = null,
  ) {
    if (!this.#system.kill(-pgid, signal)) this.#system.kill(pid, signal);
    const deadline = this.#system.setTimer(timeoutMs, () => {
      if (!this.#system.kill(-pgid, 'SIGKILL')) this.#system.kill(pid, 'SIGKILL');
    });
    this.#pending.set(pid, { pgid, deadline, onGone });
  }

  /** The retired process ended: its deadline goes, what is left of its group is killed. */
  onExit(pid: number): void {
    const entry = this.#pending.get(pid);
    if (!entry) return;
    this.#pending.delete(pid);
    entry.deadline.cancel();
    entry.onGone?.();
    this.#system.kill(-entry.pgid, 'SIGKILL');
  }

  /** The daemon lets go without touching them (release): only the timers go. */
  cancel(): void {
    for (const entry of this.#pending.values()) {
      entry.deadline.cancel();
      entry.onGone?.();
    }
    this.#pending.clear();
  }
}
