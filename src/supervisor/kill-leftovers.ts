import type { SavedProgram } from '../store/program-store.js';
import { getLaunch } from './launch.js';
import type { System } from './system.js';

// At restore: what a main process that ended while no daemon watched left of its group is killed
// before anything of the program starts again.

/** How long restore waits for SIGKILLed leftovers to be gone before it goes on (they die in microseconds unless stuck in the kernel). */
const LEFTOVERS_WAIT_MS = 1000;
const LEFTOVERS_POLL_MS = 2;

/**
 * A main process that ended while no daemon watched may have left its group behind (a child that
 * ignores SIGTERM, a stop cut short by the daemon's death). Those leftovers are SIGKILLed before
 * anything of the program starts again, so a new run never runs beside them.
 */
export function killLeftovers(
  system: System,
  log: { warn(message: string): void },
  record: SavedProgram,
): void {
  const { pgid, procStartTime } = record.runtime;
  if (pgid === null) return;
  let uid: number | undefined;
  try {
    uid = getLaunch(record.spec).uid ?? process.getuid?.();
  } catch {
    uid = process.getuid?.();
  }
  if (uid === undefined) return;
  const leftovers = system.findLeftovers(pgid, procStartTime, uid);
  if (leftovers.length === 0) return;
  for (const pid of leftovers) system.kill(pid, 'SIGKILL');
  const gone = waitUntilGone(system, leftovers, LEFTOVERS_WAIT_MS);
  log.warn(
    `${record.spec.name}: killed ${leftovers.length} leftover process(es) of its previous run (${leftovers.join(', ')})` +
      (gone ? '' : `; some still exist after ${LEFTOVERS_WAIT_MS} ms (uninterruptible sleep?)`),
  );
}

/** Blocks (restore is synchronous and runs before anything else) until none of `pids` runs, or the time is up. */
function waitUntilGone(system: System, pids: readonly number[], timeoutMs: number): boolean {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; waited += LEFTOVERS_POLL_MS) {
    if (!pids.some((pid) => system.isAlive(pid))) return true;
    if (waited >= timeoutMs) return false;
    Atomics.wait(pause, 0, 0, LEFTOVERS_POLL_MS);
  }
}
