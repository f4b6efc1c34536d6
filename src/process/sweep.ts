import type { ProcReader } from '../proc/proc-reader.js';
import { UNREADABLE } from '../proc/stat.js';

// Without cgroups, the processes of a program that left its process group (setsid, a double fork
// that then moved) are found by what they inherited: TEND_HOME and TEND_PROGRAM in their environment.
// One pass over /proc serves every program stopped in the same turn of the event loop (`stop all`
// sweeps once, not once per program).

export interface TaggedProcess {
  readonly pid: number;
  readonly pgid: number;
}

/** Runs `callback` after the current turn of the event loop (tests run it when they choose). */
export type Defer = (callback: () => void) => void;

export class TaggedSweep {
  #proc: ProcReader;
  #defer: Defer;
  #cached: { home: string; byProgram: Map<string, TaggedProcess[]> } | null = null;

  constructor(proc: ProcReader, defer: Defer = (callback) => setImmediate(callback)) {
    this.#proc = proc;
    this.#defer = defer;
  }

  /** Live processes whose environment has TEND_HOME=home and TEND_PROGRAM=name (not this process). */
  findTaggedProcesses(home: string, name: string): TaggedProcess[] {
    if (this.#cached?.home !== home) {
      this.#cached = { home, byProgram: this.#scan(home) };
      this.#defer(() => {
        this.#cached = null;
      });
    }
    return this.#cached.byProgram.get(name) ?? [];
  }

  #scan(home: string): Map<string, TaggedProcess[]> {
    const found = new Map<string, TaggedProcess[]>();
    const homeVariable = `TEND_HOME=${home}`;
    for (const pid of this.#proc.listPids()) {
      const environ = this.#proc.readEnviron(pid);
      if (environ === null) continue;
      if (!environ.includes(homeVariable)) continue;
      let name: string | null = null;
      let sameHome = false;
      for (const variable of environ.split('\0')) {
        if (variable.startsWith('TEND_PROGRAM=')) name = variable.slice('TEND_PROGRAM='.length);
        else if (variable === homeVariable) sameHome = true;
      }
      const stat = this.#proc.readStat(pid);
      if (!sameHome || name === null || stat === null || stat === UNREADABLE) continue;
      const list = found.get(name) ?? [];
      list.push({ pid, pgid: stat.pgrp });
      found.set(name, list);
    }
    return found;
  }
}
