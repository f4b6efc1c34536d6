import { readdirSync, readFileSync } from 'node:fs';
import { getStartedAtMs, type ProcStat, readProcStat, type UNREADABLE } from './stat.js';

// The /proc reads that look over every process (the lost-spawn lookup, the TEND_HOME environ sweep)
// behind one small interface, so what is done with them is unit-tested on a table of processes
// (fake-proc-reader.ts). The daemon wires `nodeProcReader`; /proc/PID/stat is parsed by stat.ts only.

export interface ProcReader {
  /** Every pid /proc lists but this process's own; none where there is no /proc (not Linux). */
  listPids(): number[];
  /** /proc/PID/stat (stat.ts): null when gone or a zombie. */
  readStat(pid: number): ProcStat | null | typeof UNREADABLE;
  /** The real uid (first of the four on the Uid: line of /proc/PID/status), or -1. */
  readUid(pid: number): number;
  /** /proc/PID/environ as it is (NAME=value, NUL-separated); null when it is not ours to read. */
  readEnviron(pid: number): string | null;
  /** A start time in ticks since boot, as ms since the epoch (btime of /proc/stat). */
  getStartedAtMs(startTime: number): number;
}

export const nodeProcReader: ProcReader = {
  listPids() {
    if (process.platform !== 'linux') return [];
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (Number.isInteger(pid) && pid !== process.pid) pids.push(pid);
    }
    return pids;
  },
  readStat: readProcStat,
  readUid,
  readEnviron(pid) {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      return null;
    }
  },
  getStartedAtMs,
};

function readUid(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'latin1')
      .split('\n')
      .find((candidate) => candidate.startsWith('Uid:'));
    const uid = Number(line?.slice('Uid:'.length).trim().split(/\s+/)[0]);
    return Number.isInteger(uid) ? uid : -1;
  } catch {
    return -1;
  }
}
