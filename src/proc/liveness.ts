import { readProcStat, UNREADABLE } from './stat.js';

// Whether a pid is a live process, and whether it is still the one we recorded. A zombie is never
// alive. Where /proc cannot tell (another OS, a failed read), signal 0 is all that is known.

/** Signal 0 reaches it (EPERM counts: it exists, it is not ours). A zombie answers too. */
export function signalReaches(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  return signalReaches(pid) && readProcStat(pid) !== null;
}

/** The start time of a live process in ticks since boot; null when gone, a zombie, or unknown. */
export function readStartTime(pid: number): number | null {
  const stat = readProcStat(pid);
  return stat === null || stat === UNREADABLE ? null : stat.startTime;
}

/** True when `pid` is still the very process that was recorded with `startTime`. */
export function isSameProcess(pid: number, startTime: number | null): boolean {
  if (!signalReaches(pid)) return false;
  const stat = readProcStat(pid);
  // Signal 0 found it; a /proc that cannot tell right now does not make it someone else.
  if (stat === UNREADABLE) return true;
  return stat !== null && (startTime === null || stat.startTime === startTime);
}

/** True when `pid` is known to be a member of process group `pgid`. */
export function isInGroup(pid: number, pgid: number | null): boolean {
  const stat = readProcStat(pid);
  return pgid !== null && stat !== null && stat !== UNREADABLE && stat.pgrp === pgid;
}
