// What the kernel says, read straight from /proc, so every peer is measured the same way: which of
// our child programs exist, a process's CPU time and memory, and the process trees to clean up.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Every child program the bench starts carries a marker `tendbench-<benchpid>-<tag>` and an index,
 * in its argv (the C programs) or in its environment as TENDBENCH=<marker>:<index> (the fallback). */
export const MARKER_PREFIX = 'tendbench-';

export function listPids() {
  const pids = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) pids.push(Number(name));
  }
  return pids;
}

export function readCmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
}

export function readEnviron(pid) {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
}

/** {marker, index} of one of our child programs, from its argv or environment; null for anything else.
 * A zombie has an empty cmdline, so a dead child never counts as running. */
export function identify(pid, useEnviron) {
  const cmdline = readCmdline(pid);
  if (cmdline === '') return null;
  const at = cmdline.indexOf(MARKER_PREFIX);
  if (at !== -1 && (at === 0 || cmdline.charCodeAt(at - 1) === 0)) {
    const fields = cmdline.slice(at).split('\0');
    return { marker: fields[0], index: fields[1] ?? '' };
  }
  if (!useEnviron) return null;
  const environ = readEnviron(pid);
  const match = /(?:^|\0)TENDBENCH=(tendbench-[^:\0]+):([^\0]*)/.exec(environ);
  return match ? { marker: match[1], index: match[2] } : null;
}

/**
 * Watches /proc for the child programs of one marker. `poll()` reads the process list once; a pid that
 * was identified as ours stays identified while it is listed, any other new pid is read again on the
 * next poll (it may be a fork that has not called exec yet). Pids that existed when the scanner was
 * made and were not ours are ignored while they stay listed (a pid that disappears and comes back is new).
 */
export class Scanner {
  constructor(marker, { useEnviron = false } = {}) {
    this.marker = marker;
    this.useEnviron = useEnviron;
    /** pid -> index (string) for ours; pid -> null for foreign pids present at creation. */
    this.known = new Map();
    for (const pid of listPids()) {
      const id = identify(pid, useEnviron);
      this.known.set(pid, id && id.marker === marker ? id.index : null);
    }
  }

  /**
   * Returns Map<index, pid> of our children (one pid per index; the newest if several). With
   * `refresh`, the pids that were foreign when the scanner was made are read again too: one of them
   * may have exited and its pid been reused by one of ours between two polls (pids wrap at
   * /proc/sys/kernel/pid_max, and a busy machine gets there). Callers refresh when progress stalls.
   */
  poll({ refresh = false } = {}) {
    const listed = listPids();
    const seen = new Set(listed);
    for (const pid of this.known.keys()) if (!seen.has(pid)) this.known.delete(pid);
    for (const pid of listed) {
      const cached = this.known.get(pid);
      if (cached !== undefined && (cached !== null || !refresh)) continue;
      const id = identify(pid, this.useEnviron);
      if (id && id.marker === this.marker) this.known.set(pid, id.index);
      // else: not ours (yet); a new pid is read again next time
    }
    const byIndex = new Map();
    for (const [pid, index] of this.known) if (index !== null) byIndex.set(index, pid);
    return byIndex;
  }

  /** Our children that are alive and not zombies right now (re-reads each one). */
  live() {
    const alive = new Map();
    for (const [index, pid] of this.poll()) {
      const id = identify(pid, this.useEnviron);
      if (id && id.marker === this.marker) alive.set(index, pid);
      else this.known.delete(pid);
    }
    return alive;
  }
}

/** utime + stime of the whole process (all threads), in seconds. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** On-CPU time of every thread of the process from the scheduler (ns precision), in seconds. Threads
 * that have already exited are not counted; use it beside cpuSeconds for a finer reading. */
export function schedSeconds(pid) {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // the thread ended
    }
  }
  return total / 1e9;
}

/** Proportional set size in KiB, from /proc/PID/smaps_rollup. */
export function pssKiB(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
  const match = /^Pss:\s+(\d+) kB/m.exec(rollup);
  return match ? Number(match[1]) : null;
}

export function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) : null;
}

/** True when the signal is blocked or caught by the process (to know a child is ready for it). */
export function handlesSignal(pid, signo) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return false;
  }
  const bit = 1n << BigInt(signo - 1);
  for (const key of ['SigBlk', 'SigCgt']) {
    const match = new RegExp(`^${key}:\\s+([0-9a-f]+)`, 'm').exec(status);
    if (match && (BigInt(`0x${match[1]}`) & bit) !== 0n) return true;
  }
  return false;
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  // a zombie is not alive for our purposes
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat[stat.lastIndexOf(')') + 2];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** The pid and all its descendants (by ppid), found in one pass over /proc. */
export function processTree(root) {
  const children = new Map();
  for (const pid of listPids()) {
    const ppid = parentOf(pid);
    if (ppid === null) continue;
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const tree = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop();
    tree.push(pid);
    for (const child of children.get(pid) ?? []) stack.push(child);
  }
  return tree;
}

export function killQuietly(pid, signal = 'SIGKILL') {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
