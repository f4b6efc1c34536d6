import type { ProgramSpec } from '../config/program-schema.js';
import { StateNotSavedError } from '../errors.js';
import type { HeldSockets } from '../sockets/held-sockets.js';
import type { LogTargetOwners } from './log-targets.js';
import type { ManagedProgram } from './managed-program.js';
import { getProgramKey } from './program-key.js';
import type { ProgramRegistry } from './program-registry.js';
import type { SupervisorOptions } from './supervisor-options.js';

// What `delete` does once its programs are stopped and what the stop signal reached has exited: each
// program's record, watchers, FIFOs, registry entry, log targets and log writers go; then the held
// sockets of a key with no instance left are closed (unless the program is being replaced).

/** Forgets stopped programs, in order; the first whose record cannot go stays (stopped) and throws. */
export function removePrograms(
  targets: readonly ManagedProgram[],
  options: Pick<SupervisorOptions, 'store' | 'logs'>,
  programs: ProgramRegistry,
  logOwners: LogTargetOwners,
): void {
  for (const program of targets) {
    // Stopped and recorded as stopped: if the record cannot go, it stays (stopped) and says so.
    try {
      options.store.remove(program.name);
    } catch (error) {
      throw new StateNotSavedError(program.name, 'delete (it is stopped)', error);
    }
    program.release();
    program.capture.removeFifos();
    program.removeAllListeners();
    programs.remove(program.name);
    logOwners.release(program.snapshot().spec);
    options.logs.remove(program.name);
  }
}

/** A key's sockets are closed once no instance of it is left. */
export function releaseUnusedSockets(
  removed: readonly ProgramSpec[],
  programs: ProgramRegistry,
  sockets: HeldSockets,
): void {
  const keys = new Set(removed.filter((spec) => spec.sockets.length > 0).map(getProgramKey));
  for (const program of programs.getAll()) keys.delete(getProgramKey(program.snapshot().spec));
  for (const key of keys) sockets.release(key);
}
