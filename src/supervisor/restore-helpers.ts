import type { ProgramSpec } from '../config/program-schema.js';
import type { ProcReader } from '../proc/proc-reader.js';
import type { RuntimeRecord, SpawnIntent, State } from '../program-record.js';
import type { HeldSockets } from '../sockets/held-sockets.js';
import type { SavedProgram } from '../store/program-store.js';
import { pickLostSpawn, readProcesses } from './lost-spawns.js';
import type { ManagedProgram } from './managed-program.js';
import { getProgramKey } from './program-key.js';

// The steps of re-adopting what a previous daemon left: its lost spawns, its sockets, its dead.

/** Recorded states from which the next spawn is an automatic restart (not a user's start). */
export const RESTARTING_STATES: ReadonlySet<State> = new Set(['starting', 'running', 'backoff']);

/**
 * Processes a dead daemon spawned but never recorded (it died between fork and write), by program:
 * only where a spawn intent is still pending, and only a process that proves it is that spawn
 * (lost-spawns.ts). One pass over /proc, and none when no intent is pending.
 */
export function findLostSpawns(
  saved: readonly SavedProgram[],
  live: ReadonlySet<SavedProgram>,
  proc: ProcReader,
  info: (message: string) => void,
): Map<string, RuntimeRecord> {
  const found = new Map<string, RuntimeRecord>();
  const pending = saved.filter((record) => record.spawnIntent !== null && !live.has(record));
  if (pending.length === 0) return found;
  const processes = readProcesses(proc);
  for (const record of pending) {
    const lost = pickLostSpawn(record.spawnIntent as SpawnIntent, processes);
    if (lost) found.set(record.spec.name, lost);
    else info(`${record.spec.name}: its last spawn left no process that proves it is that spawn`);
  }
  return found;
}

/** After a daemon restart the sockets are taken back from the processes that still hold them. */
export function recoverSockets(
  live: ReadonlySet<SavedProgram>,
  sockets: HeldSockets,
  info: (message: string) => void,
): void {
  const pids = new Map<string, { spec: ProgramSpec; pids: number[] }>();
  for (const record of live) {
    if (record.spec.sockets.length === 0 || record.runtime.pid === null) continue;
    const key = getProgramKey(record.spec);
    const entry = pids.get(key) ?? { spec: record.spec, pids: [] };
    entry.pids.push(record.runtime.pid);
    pids.set(key, entry);
  }
  for (const [key, { spec, pids: from }] of pids) {
    const taken = sockets.recover(key, spec.sockets, from);
    const missing = spec.sockets.length - taken.length;
    info(
      `${key}: took back ${taken.length} held socket(s) from pid ${from.join(', ')}${missing > 0 ? `; ${missing} to bind again` : ''}`,
    );
  }
}

/** A stop or a restart was under way when the daemon died: it is finished, as the user asked. */
export function stopAdopted(program: ManagedProgram, desired: 'running' | 'stopped'): void {
  program.dispatch({ type: desired === 'running' ? 'restart' : 'stop' });
  program.pollAdoptedSoon();
}

/** A program recorded as running whose process ended while no daemon watched: its policy decides. */
export function restoreDead(program: ManagedProgram, saved: SavedProgram): void {
  if (saved.runtime.pid === null) {
    program.dispatch({ type: 'start' });
    return;
  }
  // Its leftovers are already dead (kill-leftovers.ts): the group is not signalled again blind, as
  // its number could name someone else's group by now. Without /proc that check cannot be made.
  program.adopt(process.platform === 'linux' ? { ...saved.runtime, pgid: null } : saved.runtime);
  program.checkAdoptedNow();
}
