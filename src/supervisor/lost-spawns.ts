import type { ProcReader } from '../proc/proc-reader.js';
import { UNREADABLE } from '../proc/stat.js';
import type { RuntimeRecord, SpawnIntent } from '../program-record.js';

// A daemon that dies between fork() and the write that records the new pid leaves a program running
// that no record points at; the next daemon would start it a second time. The environment is not
// proof (anyone can set TEND_HOME and TEND_PROGRAM), so each spawn is announced first: the record
// gets a spawn intent (a fresh 128-bit secret, the uid) before the fork, the child carries the secret
// as TEND_SPAWN_ID, and the write that records the pid clears the intent. A new daemon looks only
// for records whose intent is still there, and takes a process only when:
// - its environment holds that very secret (which only root and the child's own uid can read, in
//   /proc/PID/environ, and which was in no process before this fork),
// - it runs as the intent's uid and leads its own session (every program does: setsid at spawn),
// - it started within seconds of the intent,
// - and no other process with the secret is its ancestor: a helper the program started that called
//   setsid itself carries the secret too, but descends from the main process.
// Two candidates left means none is taken. One pass over /proc, only when some intent is pending.
// Linux only; elsewhere nothing is found.

/** The boot time has a one-second resolution and moves with clock adjustments. */
const START_SLACK_MS = 2000;

/** What /proc says about one process, for the choice below. */
export interface ProcessFacts {
  readonly pid: number;
  readonly ppid: number;
  readonly session: number;
  readonly uid: number;
  readonly procStartTime: number;
  /** ms since the epoch, to about a second. */
  readonly startedAt: number;
  /** TEND_SPAWN_ID from its environment, or null. */
  readonly spawnId: string | null;
}

/** The process a spawn intent names, or null; pure, so every rule above has a unit test. */
export function pickLostSpawn(
  intent: SpawnIntent,
  processes: ReadonlyMap<number, ProcessFacts>,
): RuntimeRecord | null {
  const carriers = [...processes.values()].filter((facts) => facts.spawnId === intent.id);
  const carrierPids = new Set(carriers.map((facts) => facts.pid));
  const mains = carriers.filter(
    (facts) =>
      facts.session === facts.pid &&
      facts.uid === intent.uid &&
      Math.abs(facts.startedAt - intent.at) <= START_SLACK_MS &&
      !hasAncestorIn(facts, processes, carrierPids),
  );
  const [main, ...others] = mains;
  if (!main || others.length > 0) return null;
  return {
    pid: main.pid,
    pgid: main.pid,
    procStartTime: main.procStartTime,
    startedAt: Math.round(main.startedAt),
  };
}

/** Reads /proc once: every process's stat, and the uid and spawn id of those that lead a session. */
export function readProcesses(proc: ProcReader): Map<number, ProcessFacts> {
  const found = new Map<number, ProcessFacts>();
  for (const pid of proc.listPids()) {
    const stat = proc.readStat(pid);
    if (stat === null || stat === UNREADABLE) continue;
    const uid = stat.session === pid ? proc.readUid(pid) : -1;
    found.set(pid, {
      pid,
      ppid: stat.ppid,
      session: stat.session,
      uid,
      procStartTime: stat.startTime,
      startedAt: proc.getStartedAtMs(stat.startTime),
      spawnId: stat.session === pid ? findSpawnId(proc.readEnviron(pid)) : null,
    });
  }
  return found;
}

function hasAncestorIn(
  facts: ProcessFacts,
  processes: ReadonlyMap<number, ProcessFacts>,
  pids: ReadonlySet<number>,
): boolean {
  const seen = new Set<number>();
  for (let ppid = facts.ppid; ppid > 1 && !seen.has(ppid); ppid = processes.get(ppid)?.ppid ?? 0) {
    if (pids.has(ppid)) return true;
    seen.add(ppid); // mutation: equivalent (a guard against a ppid loop /proc never shows)
  }
  return false;
}

/** TEND_SPAWN_ID in a process's environment, or null (also when its environ is not ours to read). */
function findSpawnId(environ: string | null): string | null {
  if (environ === null) return null;
  const prefix = 'TEND_SPAWN_ID=';
  for (const variable of environ.split('\0'))
    if (variable.startsWith(prefix)) return variable.slice(prefix.length);
  return null;
}
