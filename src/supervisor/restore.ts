import type { ProgramSpec } from '../config/program-schema.js';
import type { HeldSockets } from '../sockets/held-sockets.js';
import type { ProgramStore, SavedProgram } from '../store/program-store.js';
import { killLeftovers } from './kill-leftovers.js';
import type { ManagedProgram } from './managed-program.js';
import {
  findLostSpawns,
  RESTARTING_STATES,
  recoverSockets,
  restoreDead,
  stopAdopted,
} from './restore-helpers.js';
import { hasProcess, isActive } from './states.js';
import type { System } from './system.js';

// The daemon's start: every saved program comes back. Live processes are adopted with their pids
// (and a spawn the previous daemon never recorded, once it proves itself), what a dead run left is
// killed, and the dead follow their policy.

export interface RestoreReport {
  readonly adopted: string[];
  readonly restarted: string[];
  readonly resting: string[];
}

export interface RestoreInputs {
  readonly store: ProgramStore;
  readonly system: System;
  readonly sockets: HeldSockets;
  readonly log: { info(message: string): void; warn(message: string): void };
  /** Creates and registers the program of a saved record. */
  readonly register: (spec: ProgramSpec, saved: SavedProgram) => ManagedProgram;
  /** Arms socket activation for a program that waits for its first connection. */
  readonly armActivation: (spec: ProgramSpec) => void;
  /** Saves a program's state again (one that was active and now rests). */
  readonly persist: (program: ManagedProgram) => void;
}

/** Brings back every saved program: live processes are adopted with their pids, dead ones follow their policy. */
export function restorePrograms(inputs: RestoreInputs): RestoreReport {
  const { store, system, sockets, log, register } = inputs;
  const report: RestoreReport = { adopted: [], restarted: [], resting: [] };
  const saved = store.loadAll();
  const live = new Set(
    saved.filter(
      ({ savedState, runtime }) =>
        hasProcess(savedState) &&
        runtime.pid !== null &&
        system.isSameProcess(runtime.pid, runtime.procStartTime),
    ),
  );
  recoverSockets(live, sockets, (message) => log.info(message));
  const lostSpawns = findLostSpawns(saved, live, system.proc, (message) => log.info(message));
  for (const record of saved) {
    if (!live.has(record)) killLeftovers(system, log, record);
  }
  for (const record of saved) {
    const lost = lostSpawns.get(record.spec.name);
    if (live.has(record)) {
      const program = register(record.spec, record);
      program.adopt(record.runtime);
      // A stop or a restart was under way: it is finished, as the user asked (desired says which).
      if (record.savedState === 'stopping') stopAdopted(program, record.desired);
      report.adopted.push(record.spec.name);
    } else if (lost) {
      // The previous daemon had decided to run it: whatever the record says, it runs, once. From a
      // record that was running or waiting to retry, that spawn was a restart and counts as one.
      const restarts = record.restarts + (RESTARTING_STATES.has(record.savedState) ? 1 : 0);
      const program = register(record.spec, { ...record, state: 'stopped', restarts });
      program.adopt(lost);
      log.warn(
        `${record.spec.name}: adopted pid ${lost.pid}, started by the previous daemon just before it died`,
      );
      report.adopted.push(record.spec.name);
    } else {
      restoreRecord(record, report, inputs);
    }
  }
  return report;
}

/** A saved program with no process: it waits on its sockets, resumes its backoff, starts, or rests. */
function restoreRecord(saved: SavedProgram, report: RestoreReport, inputs: RestoreInputs): void {
  const program = inputs.register(saved.spec, saved);
  if (saved.spec.activation === 'socket' && saved.spec.autostart && saved.savedState !== 'fatal') {
    inputs.armActivation(saved.spec);
    report.resting.push(saved.spec.name);
    return;
  }
  if (saved.savedState === 'backoff') {
    program.dispatch({ type: 'resume-backoff', since: saved.savedAt });
    report.restarted.push(saved.spec.name);
  } else if ((isActive(saved.savedState) || saved.savedState === 'stopped') && saved.desired === 'running') {
    restoreDead(program, saved);
    report.restarted.push(saved.spec.name);
  } else {
    if (isActive(saved.savedState)) inputs.persist(program);
    report.resting.push(saved.spec.name);
  }
}
