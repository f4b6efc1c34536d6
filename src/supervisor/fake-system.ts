import type { Capture, ChildFds } from '../logs/capture.js';
import type { MachineContext } from './states.js';
import type { ChildHandle, SpawnRequest, System, TimerHandle } from './system.js';

// A deterministic System for unit tests: a manual clock, timers that fire when the clock advances,
// and children that exit when the test says so.

export interface FakeChild {
  readonly pid: number;
  readonly request: SpawnRequest;
  exit(code: number | null, signal?: NodeJS.Signals | null): void;
}

export class FakeSystem implements System {
  time = 1_000_000;
  spawned: FakeChild[] = [];
  kills: { pid: number; signal: NodeJS.Signals }[] = [];
  failNextSpawn: string | null = null;
  /** pids (and -pgids) that answer to kill(); a child is alive until it exits. */
  #alive = new Set<number>();
  #nextPid = 100;
  #timers: { at: number; callback: () => void; cancelled: boolean }[] = [];

  spawn(request: SpawnRequest): ChildHandle {
    if (this.failNextSpawn) {
      const reason = this.failNextSpawn;
      this.failNextSpawn = null;
      throw new Error(reason);
    }
    const pid = this.#nextPid++;
    let onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
    this.#alive.add(pid);
    this.#alive.add(-pid);
    this.spawned.push({
      pid,
      request,
      exit: (code, signal = null) => {
        this.#alive.delete(pid);
        this.#alive.delete(-pid);
        onExit?.(code, signal);
      },
    });
    return {
      pid,
      onExit: (listener) => {
        onExit = listener;
      },
      onError: () => {},
    };
  }

  kill(pid: number, signal: NodeJS.Signals): boolean {
    this.kills.push({ pid, signal });
    return this.#alive.has(pid);
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, callback: () => void): TimerHandle {
    const timer = { at: this.time + ms, callback, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Moves the clock forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.#timers
        .filter((timer) => !timer.cancelled && timer.at <= end)
        .sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      this.time = due.at;
      due.callback();
    }
    this.time = end;
  }

  get lastChild(): FakeChild {
    const child = this.spawned.at(-1);
    if (!child) throw new Error('nothing was spawned');
    return child;
  }
}

export class FakeCapture implements Capture {
  opened = 0;
  attached = 0;
  openChildFds(): ChildFds {
    this.opened += 1;
    return { out: -1, err: -1 };
  }
  releaseChildFds(): void {}
  attach(): void {
    this.attached += 1;
  }
  detach(): void {}
  removeFifos(): void {}
}

/** The clock of makeContext. */
export const NOW = 1_000_000;

/** A machine context with the documented defaults, for the table's and backoff's unit tests. */
export function makeContext(overrides: Partial<MachineContext> = {}): MachineContext {
  return {
    restart: 'always',
    successExitCodes: [0],
    restartDelayMs: 0,
    backoff: { initialMs: 250, multiplier: 2, maxMs: 30_000, resetAfterMs: 10_000 },
    giveUp: null,
    startSecsMs: 1000,
    readiness: 'startSecs',
    startTimeoutMs: 60_000,
    watchdogMs: null,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
    desired: 'running',
    consecutiveFailures: 0,
    recentFailures: [],
    now: NOW,
    ...overrides,
  };
}
