import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { findProcesses, isAlive, isGroupLeader, readProcStat } from '../test/e2e/helpers.js';

// What /proc says about the daemon (open fds, memory, CPU time) and about the programs' processes.

export const CLOCK_TICKS_PER_SECOND = readClockTicks();

export interface ProcessSample {
  /** ms since the epoch */
  readonly time: number;
  readonly fds: number;
  readonly rssBytes: number;
  /** Proportional set size (shared pages split between their users); null where smaps_rollup is missing. */
  readonly pssBytes: number | null;
  /** utime + stime, in clock ticks */
  readonly cpuTicks: number;
}

function readClockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

export function sampleProcess(pid: number): ProcessSample | null {
  try {
    const stat = readProcStat(pid);
    if (!stat) return null;
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const rssKb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
    return {
      time: Date.now(),
      fds,
      rssBytes: Number(rssKb ?? 0) * 1024,
      pssBytes: readPssBytes(pid),
      cpuTicks: Number(stat.get(14)) + Number(stat.get(15)),
    };
  } catch {
    return null;
  }
}

function readPssBytes(pid: number): number | null {
  try {
    const pssKb = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'))?.[1];
    return pssKb === undefined ? null : Number(pssKb) * 1024;
  } catch {
    return null;
  }
}

/** The main processes of this home's programs: live group leaders whose environment names a program. */
export function findProgramLeaders(home: string): Map<string, number[]> {
  const leaders = new Map<string, number[]>();
  for (const info of findProcesses(home)) {
    const program = info.environ.get('TEND_PROGRAM');
    if (program === undefined || !isGroupLeader(info.pid)) continue;
    leaders.set(program, [...(leaders.get(program) ?? []), info.pid]);
  }
  return leaders;
}

/** Whether `pid` is, right now, a live main process of `program` in `home`. */
export function isProgramLeader(home: string, program: string, pid: number): boolean {
  if (!isAlive(pid) || !isGroupLeader(pid)) return false;
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
    return environ.includes(`TEND_HOME=${home}`) && environ.includes(`TEND_PROGRAM=${program}`);
  } catch {
    return false;
  }
}
