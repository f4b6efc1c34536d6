import type { ProcReader } from './proc-reader.js';
import { type ProcStat, UNREADABLE, USER_HZ } from './stat.js';

// A table of processes standing in for /proc, for unit tests of what reads it (the lost-spawn
// lookup, the environ sweep): no real process is needed.

export interface FakeProcEntry {
  readonly ppid?: number;
  /** Its process group; itself by default. */
  readonly pgrp?: number;
  /** Its session; itself by default (every program leads one). */
  readonly session?: number;
  /** Ticks since boot. */
  readonly startTime?: number;
  /** -1: /proc/PID/status could not be read. */
  readonly uid?: number;
  /** null: its environment is not ours to read. */
  readonly env?: Readonly<Record<string, string>> | null;
  /** Its stat line cannot be read (a failed read that is not its absence). */
  readonly unreadable?: boolean;
}

export class FakeProcReader implements ProcReader {
  /** When the machine booted, ms since the epoch. */
  bootTimeMs = 1_700_000_000_000;
  /** How many times every pid was listed: one sweep over /proc each. */
  scans = 0;
  #table = new Map<number, FakeProcEntry>();

  add(pid: number, entry: FakeProcEntry = {}): void {
    this.#table.set(pid, entry);
  }

  remove(pid: number): void {
    this.#table.delete(pid);
  }

  listPids(): number[] {
    this.scans += 1;
    return [...this.#table.keys()];
  }

  readStat(pid: number): ProcStat | null | typeof UNREADABLE {
    const entry = this.#table.get(pid);
    if (!entry) return null;
    if (entry.unreadable) return UNREADABLE;
    return {
      ppid: entry.ppid ?? 1,
      pgrp: entry.pgrp ?? pid,
      session: entry.session ?? pid,
      startTime: entry.startTime ?? 0,
    };
  }

  readUid(pid: number): number {
    return this.#table.get(pid)?.uid ?? -1;
  }

  readEnviron(pid: number): string | null {
    const env = this.#table.get(pid)?.env;
    if (!env) return null;
    return Object.entries(env)
      .map(([name, value]) => `${name}=${value}`)
      .join('\0');
  }

  getStartedAtMs(startTime: number): number {
    return this.bootTimeMs + (startTime * 1000) / USER_HZ;
  }
}
