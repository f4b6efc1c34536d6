import { readdirSync, readFileSync } from 'node:fs';
import { readProcStat, UNREADABLE } from '../proc/stat.js';

// Without cgroups, the processes of a program that left its process group (setsid, a double fork
// that then moved) are found by what they inherited: TEND_HOME and TEND_PROGRAM in their environment.
// One pass over /proc serves every program stopped in the same turn of the event loop (`stop all`
// sweeps once, not once per program).

export interface TaggedProcess {
  readonly pid: number;
  readonly pgid: number;
}

let cached: { home: string; byProgram: Map<string, TaggedProcess[]> } | null = null;

/** Live processes whose environment has TEND_HOME=home and TEND_PROGRAM=name (not this process). */
export function findTaggedProcesses(home: string, name: string): TaggedProcess[] {
  if (process.platform !== 'linux') return [];
  if (cached?.home !== home) {
    cached = { home, byProgram: scan(home) };
    setImmediate(() => {
      cached = null;
    });
  }
  return cached.byProgram.get(name) ?? [];
}

function scan(home: string): Map<string, TaggedProcess[]> {
  const found = new Map<string, TaggedProcess[]>();
  const homeVariable = `TEND_HOME=${home}`;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!environ.includes(homeVariable)) continue;
    let name: string | null = null;
    let sameHome = false;
    for (const variable of environ.split('\0')) {
      if (variable.startsWith('TEND_PROGRAM=')) name = variable.slice('TEND_PROGRAM='.length);
      else if (variable === homeVariable) sameHome = true;
    }
    const stat = readProcStat(pid);
    if (!sameHome || name === null || stat === null || stat === UNREADABLE) continue;
    const list = found.get(name) ?? [];
    list.push({ pid, pgid: stat.pgrp });
    found.set(name, list);
  }
  return found;
}
