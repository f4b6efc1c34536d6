import { readFileSync } from 'node:fs';

// /proc/PID/stat, parsed in one place for the daemon, the CLI and tend/daemon. A zombie counts as
// gone: it has finished and only waits to be reaped. A read that fails for want of an fd (EMFILE,
// ENFILE) or memory says nothing about the process, and neither does a system without /proc: both
// are UNREADABLE, never "gone".

/** USER_HZ: /proc counts start times in these ticks; Linux fixes it at 100 for user space on every ABI. */
export const USER_HZ = 100;

/** /proc could not tell (not Linux, or a read failure that is not the process's absence). */
export const UNREADABLE = 'unreadable' as const;

export interface ProcStat {
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  /** Field 22: the start time in clock ticks (USER_HZ) since boot. */
  readonly startTime: number;
}

const GONE_CODES = new Set(['ENOENT', 'ESRCH']);

/** /proc/PID/stat; null when there is no such process or it is a zombie. */
export function readProcStat(pid: number): ProcStat | null | typeof UNREADABLE {
  if (process.platform !== 'linux') return UNREADABLE;
  if (!Number.isInteger(pid) || pid <= 0) return null;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (error) {
    return GONE_CODES.has((error as NodeJS.ErrnoException).code ?? '') ? null : UNREADABLE;
  }
  return parseProcStat(text);
}

/** The text of /proc/PID/stat; null for a zombie or a dead entry. */
export function parseProcStat(text: string): ProcStat | null | typeof UNREADABLE {
  // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  const startTime = Number(fields[19]);
  if (!Number.isFinite(startTime)) return UNREADABLE;
  return { ppid: Number(fields[1]), pgrp: Number(fields[2]), session: Number(fields[3]), startTime };
}

let bootTimeMs: number | undefined;

/** When the machine booted (btime of /proc/stat: ms since the epoch, to a second), read once; 0 if unknown. */
export function getBootTimeMs(): number {
  if (bootTimeMs === undefined) {
    try {
      const line = readFileSync('/proc/stat', 'latin1')
        .split('\n')
        .find((entry) => entry.startsWith('btime '));
      bootTimeMs = Number(line?.slice('btime '.length)) * 1000 || 0;
    } catch {
      bootTimeMs = 0;
    }
  }
  return bootTimeMs;
}

/** A start time in ticks since boot, as ms since the epoch (to about a second: btime's resolution). */
export function getStartedAtMs(startTime: number): number {
  return getBootTimeMs() + (startTime * 1000) / USER_HZ;
}
