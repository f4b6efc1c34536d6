import { type ProgramSpec, programInputSchema } from '../config/program-schema.js';
import type { Desired, ProgramSnapshot, State, StateChange } from '../program-record.js';
import type { HistoryEvent, SavedProgram } from './program-store.js';

// The rows of the programs and events tables as SQLite gives them, and the mapping both ways: a row
// to what the store returns, a snapshot or a state change to a statement's parameters.

export interface ProgramRow {
  name: string;
  spec: string;
  desired: Desired;
  state: State;
  pid: number | null;
  pgid: number | null;
  proc_start_time: number | null;
  started_at: number | null;
  restarts: number;
  exit_code: number | null;
  exit_signal: NodeJS.Signals | null;
  reason: string | null;
  consecutive_failures: number;
  recent_failures: string;
  updated_at: number;
  spawn_id: string | null;
  spawn_uid: number | null;
  spawn_at: number | null;
}

export interface EventRow {
  id: number;
  time: number;
  program: string;
  event: string;
  from_state: State | null;
  to_state: State | null;
  pid: number | null;
  exit_code: number | null;
  exit_signal: string | null;
  message: string | null;
}

/** A programs row as the program it saved. */
export function readSavedProgram(row: ProgramRow): SavedProgram {
  return {
    spec: readSpec(row.spec),
    state: row.state,
    savedState: row.state,
    savedAt: row.updated_at,
    desired: row.desired,
    runtime: {
      pid: row.pid,
      pgid: row.pgid,
      procStartTime: row.proc_start_time,
      startedAt: row.started_at,
    },
    restarts: row.restarts,
    exitCode: row.exit_code,
    exitSignal: row.exit_signal,
    reason: row.reason,
    consecutiveFailures: row.consecutive_failures,
    recentFailures: JSON.parse(row.recent_failures) as number[],
    adopted: false,
    statusText: null,
    spawnIntent:
      row.spawn_id === null || row.spawn_uid === null || row.spawn_at === null
        ? null
        : { id: row.spawn_id, uid: row.spawn_uid, at: row.spawn_at },
  };
}

/** An events row as a history event. */
export function readHistoryEvent(row: EventRow): HistoryEvent {
  return {
    id: row.id,
    time: row.time,
    program: row.program,
    event: row.event,
    from: row.from_state,
    to: row.to_state,
    pid: row.pid,
    exitCode: row.exit_code,
    exitSignal: row.exit_signal,
    message: row.message,
  };
}

/** A snapshot as the parameters of the programs UPDATE. */
export function getProgramParams(snapshot: ProgramSnapshot, now: number) {
  return {
    name: snapshot.spec.name,
    desired: snapshot.desired,
    state: snapshot.state,
    pid: snapshot.runtime.pid,
    pgid: snapshot.runtime.pgid,
    procStartTime: snapshot.runtime.procStartTime,
    startedAt: snapshot.runtime.startedAt,
    restarts: snapshot.restarts,
    exitCode: snapshot.exitCode,
    exitSignal: snapshot.exitSignal,
    reason: snapshot.reason,
    consecutiveFailures: snapshot.consecutiveFailures,
    recentFailures: JSON.stringify(snapshot.recentFailures),
    now,
  };
}

/** A state change as the parameters of the events INSERT. */
export function getEventParams(change: StateChange, now: number) {
  return {
    time: now,
    program: change.name,
    event: change.event,
    from: change.from,
    to: change.to,
    pid: change.pid,
    exitCode: change.exit?.code ?? null,
    exitSignal: change.exit?.signal ?? null,
    message: change.reason,
  };
}

/** Specs are stored normalized; parsing them again fills in options added since they were saved. */
function readSpec(json: string): ProgramSpec {
  const raw = JSON.parse(json) as ProgramSpec;
  const parsed = programInputSchema.safeParse(raw);
  return parsed.success ? { ...parsed.data, cwd: raw.cwd } : raw;
}
