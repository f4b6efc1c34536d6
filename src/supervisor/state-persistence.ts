import type { StateChange } from '../program-record.js';
import type { ProgramStore } from '../store/program-store.js';
import type { ManagedProgram } from './managed-program.js';
import type { System, TimerHandle } from './system.js';

// Saving each program's state changes, and saving again later what the database refused.

const PRUNE_EVERY_EVENTS = 200;
const SAVE_RETRY_MS = 1000;

export interface StatePersistenceOptions {
  readonly store: ProgramStore;
  readonly system: System;
  readonly warn: (message: string) => void;
  /** Whether the program is still registered: a deleted one is not saved again. */
  readonly isRegistered: (name: string) => boolean;
  readonly recordNote: (name: string, event: string, message: string) => void;
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
      if (!this.#options.isRegistered(program.name)) {
        this.#unsaved.delete(program);
        continue;
      }
      try {
        this.#options.store.save(program.snapshot(), null, now);
      } catch {
        continue;
      }
      this.#unsaved.delete(program);
      this.#options.recordNote(
        program.name,
        'state-saved',
        `its state is saved again; ${missed} state change(s) could not be written meanwhile and are missing from this history`,
      );
    }
    if (this.#unsaved.size > 0)
      this.#retryTimer = this.#options.system.setTimer(SAVE_RETRY_MS, () => this.#retrySaves());
  }
}
