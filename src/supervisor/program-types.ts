import type { ProgramSpec } from '../config/program-schema.js';
import type { CheckView, HealthSummary } from '../health/program-health.js';
import type { Desired, ExitInfo, MachineEvent, State } from './states.js';

// What a supervised program looks like from outside: its process, its snapshot, its state changes.

export interface RuntimeRecord {
  pid: number | null;
  pgid: number | null;
  procStartTime: number | null;
  startedAt: number | null;
}

export interface ProgramSnapshot {
  readonly spec: ProgramSpec;
  readonly state: State;
  readonly desired: Desired;
  readonly runtime: Readonly<RuntimeRecord>;
  readonly restarts: number;
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  readonly reason: string | null;
  readonly consecutiveFailures: number;
  readonly recentFailures: readonly number[];
  readonly adopted: boolean;
  /** The last STATUS= a program sent over sd_notify. */
  readonly statusText: string | null;
  /** Its checks, while a process runs them (docs/health.md); null without checks or process. */
  readonly health?: { readonly summary: HealthSummary; readonly checks: readonly CheckView[] } | null;
}

/** A check of a program turned unhealthy or healthy again: a note for the history. */
export interface HealthNote {
  readonly name: string;
  readonly pid: number | null;
  readonly message: string;
}

export interface StateChange {
  readonly name: string;
  readonly from: State;
  readonly to: State;
  readonly event: MachineEvent['type'];
  readonly reason: string | null;
  readonly pid: number | null;
  readonly exit: ExitInfo | null;
}

/** A spawn the daemon began: recorded before the fork, cleared by the write that records its pid. */
export interface SpawnIntent {
  /** Random, secret: the child gets it as TEND_SPAWN_ID; only root and the child's uid can read it there. */
  readonly id: string;
  /** The uid the child runs as. */
  readonly uid: number;
  /** When the intent was written (ms since the epoch); the fork follows at once. */
  readonly at: number;
}
