import { readdirSync, statSync } from 'node:fs';
import { readProcStat, UNREADABLE } from '../proc/stat.js';

// What is left of a program's process group after its main process ended while no daemon watched.

/**
 * What is left of a program's process group (or session) `pgid` after its main process (recorded
 * with `leaderStartTime`) is gone: live processes in that group or session, owned by `uid`, started
 * no earlier than the main process. None when the leader's pid now names another process: the kernel
 * never reuses a pid that still names a group, so a reused leader pid means the group was emptied.
 * Linux only; elsewhere nothing is found.
 */
export function findLeftovers(pgid: number, leaderStartTime: number | null, uid: number): number[] {
  if (process.platform !== 'linux' || pgid <= 1) return [];
  const leader = readProcStat(pgid);
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
    const stat = readProcStat(pid);
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
