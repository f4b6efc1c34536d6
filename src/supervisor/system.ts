import { randomFillSync } from 'node:crypto';
import { type Clock, nodeClock, type TimerHandle } from '../clock.js';
import { getNativeHelper } from '../native.js';
import { isAlive, isInGroup, isSameProcess, readStartTime } from '../proc/liveness.js';
import { nodeProcReader, type ProcReader } from '../proc/proc-reader.js';
import { type ChildHandle, type SpawnRequest, spawnChild } from '../process/spawn.js';
import { findLeftovers } from './leftovers.js';

// The seam between the supervision logic and the operating system (supervisord's `options.fork()`):
// spawning, signalling, what the kernel says about a pid or about every process (/proc), the clock
// and timers. Tests substitute a fake (fake-system.ts); the daemon uses `nodeSystem`.

export { MAX_TIMER_MS, type TimerHandle } from '../clock.js';

export type { ChildHandle, SpawnRequest } from '../process/spawn.js';

export interface System extends Clock {
  spawn(request: SpawnRequest): ChildHandle;
  /** Sends a signal; a negative pid addresses a process group. Returns false when nothing was there. */
  kill(pid: number, signal: NodeJS.Signals): boolean;
  /** The start time of a live, non-zombie process (clock ticks since boot); null when gone or unknown. */
  readStartTime(pid: number): number | null;
  /** True when `pid` is still the very process that was recorded with `startTime`. */
  isSameProcess(pid: number, startTime: number | null): boolean;
  /** True when `pid` is a member of process group `pgid`. */
  isInGroup(pid: number, pgid: number | null): boolean;
  /** Alive and not a zombie. */
  isAlive(pid: number): boolean;
  /** Live processes of `uid` left in group or session `pgid` by a main process that is gone (leftovers.ts). */
  findLeftovers(pgid: number, leaderStartTime: number | null, uid: number): number[];
  /**
   * Calls onExit once when `pid` (not necessarily a child) ends. null when the platform cannot tell
   * (no pidfd) or the process is already gone; the caller then checks for itself.
   */
  watchExit?(pid: number, onExit: () => void): TimerHandle | null;
  /** A fresh secret naming one spawn (TEND_SPAWN_ID): 128 random bits, hex. */
  newSpawnId(): string;
  /** Reads over every process (the lost-spawn lookup at restore; the daemon's environ sweep). */
  readonly proc: ProcReader;
}

/** Random bytes drawn 4 KiB at a time: one getrandom per 256 spawns, not a crypto call on each restart. */
const spawnIdPool = { bytes: Buffer.alloc(4096), used: 4096 };

function newSpawnId(): string {
  if (spawnIdPool.used === spawnIdPool.bytes.length) {
    randomFillSync(spawnIdPool.bytes);
    spawnIdPool.used = 0;
  }
  const id = spawnIdPool.bytes.toString('hex', spawnIdPool.used, spawnIdPool.used + 16);
  // Never handed out twice: the bytes are overwritten as they are taken.
  spawnIdPool.bytes.fill(0, spawnIdPool.used, spawnIdPool.used + 16);
  spawnIdPool.used += 16;
  return id;
}

export const nodeSystem: System = {
  newSpawnId,
  proc: nodeProcReader,
  spawn: spawnChild,
  kill(pid, signal) {
    try {
      process.kill(pid, signal);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw error;
    }
  },
  now: nodeClock.now,
  setTimer: nodeClock.setTimer,
  readStartTime,
  isSameProcess,
  isInGroup,
  isAlive,
  findLeftovers,
  watchExit(pid, onExit) {
    const native = getNativeHelper();
    if (!native?.watchExit) return null;
    try {
      const watch = native.watchExit(pid, onExit);
      return { cancel: () => watch.close() };
    } catch {
      return null;
    }
  },
};
