import { StateNotSavedError } from '../errors.js';
import type { Desired, StateChange } from '../program-record.js';
import type { ProgramStore } from '../store/program-store.js';
import type { ManagedProgram } from './managed-program.js';
import type { System, TimerHandle } from './system.js';

// Writing the programs' side of the database: what users asked for (before it is done), each state
// change (after it happened, saved again later when the database refused it), notes in a program's
// history, and batches of such writes in one transaction.

const PRUNE_EVERY_EVENTS = 200;
const SAVE_RETRY_MS = 1000;

export interface StatePersistenceOptions {
  readonly store: ProgramStore;
  readonly system: System;
  readonly warn: (message: string) => void;
  /** The registered program of that name: a deleted one is not saved again, nor noted. */
  readonly findProgram: (name: string) => ManagedProgram | undefined;
}

export class StatePersistence {
  #eventsSincePrune = new Map<string, number>();
  /** Programs whose latest state the database refused, with how many changes it missed. */
  #unsaved = new Map<ManagedProgram, number>();
  #retryTimer: TimerHandle | null = null;
  #options: StatePersistenceOptions;

  constructor(options: StatePersistenceOptions) {
    this.#options = options;
  }

  /**
   * A state change is saved after it happened (a process exited, a timer fired: nothing to refuse).
   * When the database cannot take it, the program is saved again later, until it can; the history
   * misses those changes, and says how many.
   */
  persist(program: ManagedProgram, change: StateChange | null): void {
    try {
      this.#options.store.save(program.snapshot(), change, this.#options.system.now());
    } catch (error) {
      this.#onSaveFailed(program, error as Error);
      return;
    }
    if (!change) return;
    // The history is capped per program; pruning every so often keeps the restart path one INSERT.
    const written = (this.#eventsSincePrune.get(program.name) ?? 0) + 1;
    this.#eventsSincePrune.set(program.name, written % PRUNE_EVERY_EVENTS);
    if (written >= PRUNE_EVERY_EVENTS) this.#options.store.pruneEvents(program.name);
  }

  /**
   * What a user asks for is written before it is done: a stop the database never heard of would be
   * undone by the next daemon. When the write fails nothing is done and the caller hears why.
   */
  saveDesired(targets: readonly ManagedProgram[], desired: Desired, what: string): void {
    if (targets.length === 0) return;
    try {
      this.#options.store.saveDesired(
        targets.map((program) => program.name),
        desired,
      );
    } catch (error) {
      throw new StateNotSavedError(targets.map((program) => program.name).join(', '), what, error);
    }
  }

  /** At a daemon stop: programs that should run are recorded so, for the next daemon to start. */
  saveWanted(wanted: readonly ManagedProgram[]): void {
    const now = this.#options.system.now();
    for (const program of wanted) {
      try {
        this.#options.store.save({ ...program.snapshot(), desired: 'running' }, null, now);
      } catch (error) {
        this.#options.warn(
          `${program.name}: cannot record that it should run again: ${(error as Error).message}`,
        );
      }
    }
  }

  /** A note in a program's history that is not a state change (a log fault, say). */
  recordNote(name: string, event: string, message: string): void {
    const program = this.#options.findProgram(name);
    if (!program) return;
    this.#options.warn(`${name}: ${message}`);
    try {
      this.#options.store.addNote(
        name,
        event,
        program.state,
        program.pid,
        message,
        this.#options.system.now(),
      );
    } catch (error) {
      this.#options.warn(`${name}: the note could not be saved: ${(error as Error).message}`);
    }
  }

  /**
   * Runs steps that each write the database (create, start) in one transaction: `tend up` and
   * `start all` commit once, not once per program. A step that throws ends the batch there; what
   * the steps before it did is kept (committed), as it would be without the batch.
   */
  batch(steps: readonly (() => void)[]): void {
    let failure: { error: unknown } | null = null;
    this.#options.store.transaction(() => {
      for (const step of steps) {
        try {
          step();
        } catch (error) {
          failure = { error };
          return;
        }
      }
    });
    if (failure) throw (failure as { error: unknown }).error;
  }

  /** A last try for what could not be saved (the next daemon starts from it); no retry after it. */
  flush(): void {
    if (this.#unsaved.size > 0) this.#retrySaves();
    this.#retryTimer?.cancel();
    this.#retryTimer = null;
  }

  #onSaveFailed(program: ManagedProgram, error: Error): void {
    const missed = this.#unsaved.get(program) ?? 0;
    if (missed === 0)
      this.#options.warn(
        `${program.name}: cannot save its state (${error.message}); trying again every second`,
      );
    this.#unsaved.set(program, missed + 1);
    this.#retryTimer ??= this.#options.system.setTimer(SAVE_RETRY_MS, () => this.#retrySaves());
  }

  #retrySaves(): void {
    this.#retryTimer = null;
    const now = this.#options.system.now();
    for (const [program, missed] of this.#unsaved) {
      if (this.#options.findProgram(program.name) === undefined) {
        this.#unsaved.delete(program);
        continue;
      }
      try {
        this.#options.store.save(program.snapshot(), null, now);
      } catch {
        continue;
      }
      this.#unsaved.delete(program);
      this.recordNote(
        program.name,
        'state-saved',
        `its state is saved again; ${missed} state change(s) could not be written meanwhile and are missing from this history`,
      );
    }
    if (this.#unsaved.size > 0)
      this.#retryTimer = this.#options.system.setTimer(SAVE_RETRY_MS, () => this.#retrySaves());
  }
}
