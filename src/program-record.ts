import type { ProgramSpec } from './config/program-schema.js';
import type { CheckView, HealthSummary } from './health/program-health.js';
import type { Tracking } from './process/process-tree.js';

// The vocabulary of a supervised program shared by the supervisor, the store and the API (each
// imports it downward from here): its states and events (supervisord's states, s6's table form),
// its process, its snapshot and its state changes.

export const STATES = [
  'stopped',
  'starting',
  'running',
  'backoff',
  'stopping',
  'exited',
  'fatal',
  // A reload under way: a new process is starting beside the running one, or the program reloads itself.
  'reloading',
] as const;
export type State = (typeof STATES)[number];

export const EVENT_TYPES = [
  'start',
  'stop',
  'restart',
  'ready',
  'exit',
  'spawn-failed',
  'backoff-elapsed',
  'stop-timeout',
  'adopt',
  'start-timeout',
  'watchdog-ping',
  'watchdog-timeout',
  'extend-timeout',
  'resume-backoff',
  'checks-passed',
  'health-failed',
  'reload',
  'next-ready',
  'next-exit',
  'next-timeout',
  'next-failed',
  'main-pid',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type Desired = 'running' | 'stopped';

export interface ExitInfo {
  /** null when the process died by a signal, or when it was adopted and its status is unknowable. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly uptimeMs: number;
  /** What the kernel says besides the status (the OOM killer took it, say). */
  readonly cause?: string;
  /** Processes it started that live on after a clean exit while starting: it forked into the background. */
  readonly leftBehind?: number;
}

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
  /** How its processes are tracked (cgroup or process group + sweep); absent in a stored record. */
  readonly tracking?: Tracking;
  /** activation: socket, waiting for its first connection (shown as the state `listening`). */
  readonly listening?: boolean;
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
  readonly event: EventType;
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
/** A spawn the daemon began: recorded before the fork, cleared by the write that records its pid. */
export interface SpawnIntent {
  /** Random, secret: the child gets it as TEND_SPAWN_ID; only root and the child's uid can read it there. */
  readonly id: string;
  /** The uid the child runs as. */
  readonly uid: number;
  /** When the intent was written (ms since the epoch); the fork follows at once. */
  readonly at: number;
}
