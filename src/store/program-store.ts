import { type ProgramSpec, programInputSchema } from '../config/program-schema.js';
import type { Desired, ProgramSnapshot, SpawnIntent, State, StateChange } from '../program-record.js';
import type { Db } from './database.js';

// Queries over the programs and events tables. Statements are prepared once; each state change is
// one small transaction (an UPDATE and an INSERT), cheap enough to sit on the restart path.

const EVENTS_KEPT_PER_PROGRAM = 1000;

export interface SavedProgram extends ProgramSnapshot {
  readonly savedState: State;
  /** When the record was last written (ms since the epoch): for a program in backoff, when it began. */
  readonly savedAt: number;
  /** A spawn begun but never recorded (the daemon died between fork and write), or null. */
  readonly spawnIntent: SpawnIntent | null;
}

export interface HistoryEvent {
  readonly id: number;
  readonly time: number;
  readonly program: string;
  readonly event: string;
  readonly from: State | null;
  readonly to: State | null;
  readonly pid: number | null;
  readonly exitCode: number | null;
  readonly exitSignal: string | null;
  readonly message: string | null;
}

interface ProgramRow {
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

interface EventRow {
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

export class ProgramStore {
  #db: Db;
  #statements;
  #saveWithEvent;
  #saveDesired;

  constructor(db: Db) {
    this.#db = db;
    this.#statements = {
      all: db.prepare<[], ProgramRow>('SELECT * FROM programs ORDER BY created_at, name'),
      insert: db.prepare(
        `INSERT INTO programs (name, spec, desired, state, created_at, updated_at)
         VALUES (@name, @spec, @desired, @state, @now, @now)`,
      ),
      update: db.prepare(
        `UPDATE programs SET desired = @desired, state = @state, pid = @pid, pgid = @pgid,
           proc_start_time = @procStartTime, started_at = @startedAt, restarts = @restarts,
           exit_code = @exitCode, exit_signal = @exitSignal, reason = @reason,
           consecutive_failures = @consecutiveFailures, recent_failures = @recentFailures, updated_at = @now,
           spawn_id = NULL, spawn_uid = NULL, spawn_at = NULL
         WHERE name = @name`,
      ),
      intent: db.prepare(
        'UPDATE programs SET spawn_id = @id, spawn_uid = @uid, spawn_at = @at WHERE name = @name',
      ),
      remove: db.prepare<[string]>('DELETE FROM programs WHERE name = ?'),
      addEvent: db.prepare(
        `INSERT INTO events (time, program, event, from_state, to_state, pid, exit_code, exit_signal, message)
         VALUES (@time, @program, @event, @from, @to, @pid, @exitCode, @exitSignal, @message)`,
      ),
      events: db.prepare<[string, number], EventRow>(
        'SELECT * FROM events WHERE program = ? ORDER BY id DESC LIMIT ?',
      ),
      allEvents: db.prepare<[number], EventRow>('SELECT * FROM events ORDER BY id DESC LIMIT ?'),
      prune: db.prepare<[string, string, number]>(
        `DELETE FROM events WHERE program = ? AND id <= (
           SELECT id FROM events WHERE program = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
      ),
    };
    this.#saveWithEvent = db.transaction(
      (snapshot: ProgramSnapshot, change: StateChange | null, now: number) => {
        this.#statements.update.run(this.#toParams(snapshot, now));
        if (change) this.#statements.addEvent.run(this.#eventParams(change, now));
      },
    );
    const setDesired = db.prepare<{ name: string; desired: Desired }>(
      'UPDATE programs SET desired = @desired WHERE name = @name',
    );
    this.#saveDesired = db.transaction((names: readonly string[], desired: Desired) => {
      for (const name of names) setDesired.run({ name, desired });
    });
  }

  loadAll(): SavedProgram[] {
    return this.#statements.all.all().map((row) => ({
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
    }));
  }

  /** Written before the fork (one small UPDATE); the save that records the new pid clears it. */
  /** What the user asked for, recorded before it is acted on; throws when the database cannot take it. */
  saveDesired(names: readonly string[], desired: Desired): void {
    this.#saveDesired(names, desired);
  }

  recordSpawnIntent(name: string, intent: SpawnIntent): void {
    this.#statements.intent.run({ name, ...intent });
  }

  insert(spec: ProgramSpec, now: number): void {
    this.#statements.insert.run({
      name: spec.name,
      spec: JSON.stringify(spec),
      desired: 'stopped',
      state: 'stopped',
      now,
    });
  }

  save(snapshot: ProgramSnapshot, change: StateChange | null, now: number): void {
    this.#saveWithEvent(snapshot, change, now);
  }

  /** Runs fn in one transaction (a savepoint inside another); it commits unless fn throws. */
  transaction(fn: () => void): void {
    this.#db.transaction(fn)();
  }

  remove(name: string): void {
    this.#statements.remove.run(name);
  }

  addNote(
    program: string,
    event: string,
    state: State,
    pid: number | null,
    message: string,
    now: number,
  ): void {
    this.#statements.addEvent.run({
      time: now,
      program,
      event,
      from: state,
      to: state,
      pid,
      exitCode: null,
      exitSignal: null,
      message,
    });
  }

  /** Most recent first. */
  listEvents(name: string | null, limit: number): HistoryEvent[] {
    const rows =
      name === null ? this.#statements.allEvents.all(limit) : this.#statements.events.all(name, limit);
    return rows.map((row) => ({
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
    }));
  }

  pruneEvents(name: string): void {
    this.#statements.prune.run(name, name, EVENTS_KEPT_PER_PROGRAM);
  }

  close(): void {
    this.#db.close();
  }

  #toParams(snapshot: ProgramSnapshot, now: number) {
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

  #eventParams(change: StateChange, now: number) {
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
}

/** Specs are stored normalized; parsing them again fills in options added since they were saved. */
function readSpec(json: string): ProgramSpec {
  const raw = JSON.parse(json) as ProgramSpec;
  const parsed = programInputSchema.safeParse(raw);
  return parsed.success ? { ...parsed.data, cwd: raw.cwd } : raw;
}
