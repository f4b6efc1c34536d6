import { readdirSync, readFileSync } from 'node:fs';
import { getStartedAtMs, readProcStat, UNREADABLE } from '../proc/stat.js';
import type { RuntimeRecord } from './program-types.js';

// A daemon that dies between fork() and the write that records the new pid leaves a program running
// that no record points at; the next daemon would start it a second time. Every program leads its own
// session and carries TEND_HOME and TEND_PROGRAM in its environment, so a new daemon that finds a
// program's record dead looks for such a session leader before it starts one. One pass over /proc,
// done only at restore and only when some record is dead. Linux only; elsewhere nothing is found.

export interface FoundLeader {
  readonly pid: number;
  readonly ppid: number;
  readonly procStartTime: number;
  /** ms since the epoch, to about a second (the kernel's boot time has that resolution). */
  readonly startedAt: number;
}

/**
 * Session leaders started for programs of `home`, by program name. A leader whose parent is itself
 * one of them (a program's child that called setsid) is left out: it belongs to that program.
 */
export function findProgramLeaders(home: string): Map<string, FoundLeader[]> {
  const found = new Map<string, FoundLeader[]>();
  if (process.platform !== 'linux') return found;
  const all: { name: string; leader: FoundLeader }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const stat = readProcStat(pid);
    if (stat === null || stat === UNREADABLE || stat.session !== pid) continue;
    const name = readProgramName(pid, home);
    if (name === null) continue;
    const startedAt = getStartedAtMs(stat.startTime);
    all.push({ name, leader: { pid, ppid: stat.ppid, procStartTime: stat.startTime, startedAt } });
  }
  const pids = new Set(all.map(({ leader }) => leader.pid));
  for (const { name, leader } of all) {
    if (pids.has(leader.ppid)) continue;
    const list = found.get(name) ?? [];
    list.push(leader);
    found.set(name, list);
  }
  return found;
}

/**
 * The process a dead daemon spawned for a program after it last wrote the program's record (at
 * `savedAt`): the newest leader started since then. Older leaders are not a lost spawn (a leftover
 * that escaped an earlier stop, say) and are never adopted.
 */
export function pickLostSpawn(
  leaders: readonly FoundLeader[] | undefined,
  savedAt: number,
  excludePids: ReadonlySet<number>,
): RuntimeRecord | null {
  // The boot time moves with clock adjustments and has a one-second resolution.
  const SLACK_MS = 2000;
  let newest: FoundLeader | null = null;
  for (const leader of leaders ?? []) {
    if (excludePids.has(leader.pid) || leader.startedAt < savedAt - SLACK_MS) continue;
    if (!newest || leader.procStartTime > newest.procStartTime) newest = leader;
  }
  if (!newest) return null;
  return {
    pid: newest.pid,
    pgid: newest.pid,
    procStartTime: newest.procStartTime,
    startedAt: Math.round(newest.startedAt),
  };
}

/** TEND_PROGRAM of a process whose TEND_HOME is `home`, or null (also when its environ is unreadable). */
function readProgramName(pid: number, home: string): string | null {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return null;
  }
  let name: string | null = null;
  let sameHome = false;
  for (const variable of environ.split('\0')) {
    if (variable.startsWith('TEND_PROGRAM=')) name = variable.slice('TEND_PROGRAM='.length);
    else if (variable === `TEND_HOME=${home}`) sameHome = true;
  }
  return sameHome ? name : null;
}
