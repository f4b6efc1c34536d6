import type { Capture, ChildFds } from '../logs/capture.js';
import { ManualClock } from '../manual-clock.js';
import { FakeProcReader } from '../proc/fake-proc-reader.js';
import type { MachineContext } from './states.js';
import type { ChildHandle, SpawnRequest, System, TimerHandle } from './system.js';

// A deterministic System for unit tests: a manual clock, timers that fire when the clock advances,
// children that exit when the test says so, and a process table for what /proc would say.

export interface FakeChild {
  readonly pid: number;
  readonly request: SpawnRequest;
  exit(code: number | null, signal?: NodeJS.Signals | null): void;
}

/** A process the fake kernel knows of that is not our child (one a previous daemon started). */
export interface FakeProcess {
  readonly pid: number;
  readonly startTime: number;
  /** Ends it: pidfd watchers hear of it, probes no longer find it. */
  end(): void;
}

export class FakeSystem extends ManualClock implements System {
  spawned: FakeChild[] = [];
  kills: { pid: number; signal: NodeJS.Signals }[] = [];
  failNextSpawn: string | null = null;
  /** false: the platform has no pidfd, watchExit returns null (the poll fallback). */
  pidfds = true;
  /** What the sweeps over every process see (lost spawns); set up apart from addProcess. */
  readonly proc = new FakeProcReader();
  /** pids (and -pgids) that answer to kill(); a child is alive until it exits. */
  #alive = new Set<number>();
  /** What /proc/PID/stat would say of each live process. */
  #table = new Map<number, { startTime: number; pgid: number }>();
  #exitWatchers = new Map<number, Set<() => void>>();
  #nextPid = 100;

  /** A live process of group `pgid` (its own by default) that is not a child of this daemon. */
  addProcess(pid: number, options: { startTime?: number; pgid?: number } = {}): FakeProcess {
    const startTime = options.startTime ?? pid * 7;
    const pgid = options.pgid ?? pid;
    this.#alive.add(pid);
    this.#alive.add(-pgid);
    this.#table.set(pid, { startTime, pgid });
    return { pid, startTime, end: () => this.#end(pid) };
  }

  readStartTime(pid: number): number | null {
    return this.#table.get(pid)?.startTime ?? null;
  }

  isSameProcess(pid: number, startTime: number | null): boolean {
    const current = this.readStartTime(pid);
    return current !== null && (startTime === null || current === startTime);
  }

  isInGroup(pid: number, pgid: number | null): boolean {
    return pgid !== null && this.#table.get(pid)?.pgid === pgid;
  }

  isAlive(pid: number): boolean {
    return this.#table.has(pid);
  }

  findLeftovers(pgid: number, leaderStartTime: number | null): number[] {
    return [...this.#table]
      .filter(
        ([, entry]) =>
          entry.pgid === pgid && (leaderStartTime === null || entry.startTime >= leaderStartTime),
      )
      .map(([pid]) => pid);
  }

  watchExit(pid: number, onExit: () => void): TimerHandle | null {
    if (!this.pidfds || !this.#table.has(pid)) return null;
    const watchers = this.#exitWatchers.get(pid) ?? new Set();
    this.#exitWatchers.set(pid, watchers);
    const watcher = () => onExit();
    watchers.add(watcher);
    return { cancel: () => watchers.delete(watcher) };
  }

  #end(pid: number): void {
    const entry = this.#table.get(pid);
    this.#alive.delete(pid);
    if (entry && ![...this.#table].some(([other, e]) => other !== pid && e.pgid === entry.pgid))
      this.#alive.delete(-entry.pgid);
    this.#table.delete(pid);
    const watchers = this.#exitWatchers.get(pid);
    this.#exitWatchers.delete(pid);
    for (const watcher of watchers ?? []) watcher();
  }

  spawn(request: SpawnRequest): ChildHandle {
    if (this.failNextSpawn) {
      const reason = this.failNextSpawn;
      this.failNextSpawn = null;
      throw Object.assign(new Error(`spawn ${reason}`), { code: reason });
    }
    const pid = this.#nextPid++;
    let onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
    this.addProcess(pid);
    this.spawned.push({
      pid,
      request,
      exit: (code, signal = null) => {
        this.#end(pid);
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

  #spawnIds = 0;
  newSpawnId(): string {
    this.#spawnIds += 1;
    return `spawn-${this.#spawnIds}`;
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
    readyChecks: false,
    readySoFar: { said: false, checks: false },
    killCause: null,
    reloadSignal: null,
    next: null,
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
