import { readFileSync } from 'node:fs';

// What the kernel knows about a pid: alive or not, and its start time (to tell a live process from a
// reused pid). Linux reads /proc; elsewhere only liveness is known and the start time is null.

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Alive and not a zombie: a zombie has exited and only waits to be reaped (for a daemon, by init). */
export function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  return process.platform !== 'linux' || readStartTime(pid) !== null;
}

export function groupHasMembers(pgid: number): boolean {
  return pgid > 1 && isAlive(-pgid);
}

/** Field 22 of /proc/PID/stat: the process start time in clock ticks since boot. */
export function readStartTime(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (state === 'Z' || state === 'X') return null;
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/** True when `pid` is still the very process that was recorded with `startTime`. */
export function isSameProcess(pid: number, startTime: number | null): boolean {
  if (!isAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  const current = readStartTime(pid);
  return current !== null && (startTime === null || current === startTime);
}
