import { constants, mkdirSync, openSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CgroupUsage,
  CPU_PERIOD_USEC,
  formatCpuMax,
  type ResourceController,
  type ResourceLimits,
  readText,
} from './cgroup.js';

// One program instance's cgroup v2 (`<name>.program` in the daemon's tree, cgroup-tree.ts): made
// anew with its limits before each spawn, read for its processes, usage and OOM kills, signalled or
// killed as a whole, removed once empty.

/** One program instance's cgroup. Every method tolerates a cgroup that is already gone. */
export class ProgramCgroup {
  readonly path: string;
  readonly #controllers: ReadonlySet<string>;

  constructor(path: string, controllers: ReadonlySet<string>) {
    this.path = path;
    this.#controllers = controllers;
  }

  /**
   * Makes the cgroup anew when it is empty, writes the limits, and opens its directory for the spawn
   * (the caller closes it). Only a cgroup made anew takes a child cloned straight into it (`fresh`):
   * on Linux 6.14 and later, a cgroup that ever had `cgroup.kill` written SIGKILLs every child cloned
   * into it (its kill count is not the cloning daemon's). One that still holds processes (a reload's
   * old process, leftovers not yet gone) is joined by the child through cgroup.procs instead.
   */
  prepare(limits: ResourceLimits): { readonly fd: number; readonly fresh: boolean } {
    let fresh = true;
    try {
      rmdirSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') fresh = false;
    }
    mkdirSync(this.path, { recursive: true });
    this.#write('memory.max', limits.memory === null ? 'max' : String(limits.memory), 'memory');
    this.#write('memory.swap.max', limits.memory === null ? 'max' : '0', 'memory');
    this.#write('cpu.max', limits.cpu === null ? `max ${CPU_PERIOD_USEC}` : formatCpuMax(limits.cpu), 'cpu');
    this.#write('pids.max', limits.pids === null ? 'max' : String(limits.pids), 'pids');
    return { fd: openSync(this.path, constants.O_RDONLY | constants.O_DIRECTORY), fresh };
  }

  pids(): number[] {
    const text = readText(join(this.path, 'cgroup.procs')) ?? '';
    return text.split('\n').filter(Boolean).map(Number);
  }

  /** Signals every process in the cgroup; how many were there. SIGKILL goes through cgroup.kill. */
  signal(signal: NodeJS.Signals): number {
    const pids = this.pids();
    if (signal === 'SIGKILL' && pids.length > 0 && this.kill()) return pids.length;
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone meanwhile
      }
    }
    return pids.length;
  }

  /** cgroup.kill (Linux 5.14): SIGKILL to every process, including those forking right now. */
  kill(): boolean {
    try {
      writeFileSync(join(this.path, 'cgroup.kill'), '1');
      return true;
    } catch {
      return false;
    }
  }

  /** How many processes the kernel's OOM killer took in this cgroup so far (memory.events). */
  oomKills(): number {
    if (!this.#controllers.has('memory')) return 0;
    const match = /^oom_kill (\d+)$/m.exec(readText(join(this.path, 'memory.events')) ?? '');
    return match ? Number(match[1]) : 0;
  }

  usage(): CgroupUsage {
    const usage = /^usage_usec (\d+)$/m.exec(readText(join(this.path, 'cpu.stat')) ?? '');
    const memory = readText(join(this.path, 'memory.current'));
    return {
      cpuUsec: usage ? Number(usage[1]) : null,
      memoryBytes: memory === null ? null : Number(memory.trim()),
    };
  }

  /** Removes the cgroup once it is empty; a cgroup still in use stays. */
  remove(): void {
    try {
      rmdirSync(this.path);
    } catch {
      // EBUSY (processes left) or already gone
    }
  }

  #write(file: string, value: string, controller: ResourceController): void {
    if (!this.#controllers.has(controller)) return;
    try {
      writeFileSync(join(this.path, file), value);
    } catch {
      // memory.swap.max without swap accounting, say: the other limits still apply
    }
  }
}
