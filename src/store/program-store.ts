import type { ProgramSpec } from '../config/program-schema.js';
import type { Desired, ProgramSnapshot, SpawnIntent, State, StateChange } from '../program-record.js';
import type { Db } from './database.js';
import {
  type EventRow,
  getEventParams,
  getProgramParams,
  type ProgramRow,
  readHistoryEvent,
  readSavedProgram,
} from './program-rows.js';

// Queries over the programs and events tables. Statements are prepared once; each state change is
// one small transaction (an UPDATE and an INSERT), cheap enough to sit on the restart path. The rows
// and their mapping to and from what the store takes and returns are program-rows.ts.

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
        this.#statements.update.run(getProgramParams(snapshot, now));
        if (change) this.#statements.addEvent.run(getEventParams(change, now));
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
    return this.#statements.all.all().map((row) => readSavedProgram(row));
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
    return rows.map((row) => readHistoryEvent(row));
  }

  pruneEvents(name: string): void {
    this.#statements.prune.run(name, name, EVENTS_KEPT_PER_PROGRAM);
  }

  close(): void {
    this.#db.close();
  }
}
