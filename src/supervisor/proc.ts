import { readdirSync, readFileSync, statSync } from 'node:fs';

// What the kernel knows about a pid: alive or not, and its start time (to tell a live process from a
// reused pid). Linux reads /proc; elsewhere only liveness is known and the start time is null.
// A /proc read can fail for want of an fd (EMFILE, ENFILE) or memory: that says nothing about the
// process, so it is never taken for "gone".

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
  return process.platform !== 'linux' || readStat(pid) !== null;
}

export function groupHasMembers(pgid: number): boolean {
  return pgid > 1 && isAlive(-pgid);
}

export interface ProcStat {
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  /** Field 22 of /proc/PID/stat: the process start time in clock ticks since boot. */
  readonly startTime: number;
}

/** /proc could not be read for a reason that is not the process's absence (EMFILE, ENOMEM, ...). */
export const UNREADABLE = 'unreadable' as const;

const GONE_CODES = new Set(['ENOENT', 'ESRCH']);

/** /proc/PID/stat; null when there is no such process or it is a zombie. */
export function readStat(pid: number): ProcStat | null | typeof UNREADABLE {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (error) {
    return GONE_CODES.has((error as NodeJS.ErrnoException).code ?? '') ? null : UNREADABLE;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  const startTime = Number(fields[19]);
  if (!Number.isFinite(startTime)) return UNREADABLE;
  return { ppid: Number(fields[1]), pgrp: Number(fields[2]), session: Number(fields[3]), startTime };
}

/** The start time of a live process; null when gone, unknown, or not on Linux. */
export function readStartTime(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  const stat = readStat(pid);
  return stat === null || stat === UNREADABLE ? null : stat.startTime;
}

/** True when `pid` is still the very process that was recorded with `startTime`. */
export function isSameProcess(pid: number, startTime: number | null): boolean {
  if (!isAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  const stat = readStat(pid);
  // kill(pid, 0) found it; a /proc we cannot read right now does not make it someone else.
  if (stat === UNREADABLE) return true;
  return stat !== null && (startTime === null || stat.startTime === startTime);
}

/**
 * What is left of a program's process group (or session) `pgid` after its main process (recorded
 * with `leaderStartTime`) is gone: live processes in that group or session, owned by `uid`, started
 * no earlier than the main process. None when the leader's pid now names another process: the kernel
 * never reuses a pid that still names a group, so a reused leader pid means the group was emptied.
 * Linux only; elsewhere nothing is found.
 */
export function findLeftovers(pgid: number, leaderStartTime: number | null, uid: number): number[] {
  if (process.platform !== 'linux' || pgid <= 1) return [];
  const leader = readStat(pgid);
  if (
    leader !== null &&
    leader !== UNREADABLE &&
    leaderStartTime !== null &&
    leader.startTime !== leaderStartTime
  )
    return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const stat = readStat(pid);
    if (stat === null || stat === UNREADABLE) continue;
    if (stat.pgrp !== pgid && stat.session !== pgid) continue;
    if (leaderStartTime !== null && stat.startTime < leaderStartTime) continue;
    if (getOwner(pid) !== uid) continue;
    found.push(pid);
  }
  return found;
}

function getOwner(pid: number): number | null {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return null;
  }
}

/** The sender must be in the program's process group, or any local process could declare it ready. */
export function isInGroup(pid: number, pgid: number | null): boolean {
  if (pid <= 0 || pgid === null) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid;
  } catch {
    return false;
  }
}
