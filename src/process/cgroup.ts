import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { findCgroup2Mount, findOwnCgroup } from './cgroup-mounts.js';

// cgroup v2, where the daemon may write one: a tree of the daemon's own under the cgroup it was
// started in (`tend-<hash of TEND_HOME>`), the daemon itself moved into its leaf `daemon` (a cgroup
// with children may hold no processes), and one cgroup per program instance beside it
// (`<name>.program`). A program's processes are all in its cgroup from before exec on, wherever they
// move their session or process group, so a stop reaches every one and `cgroup.kill` ends them all.

export const RESOURCE_CONTROLLERS = ['memory', 'cpu', 'pids'] as const;
export type ResourceController = (typeof RESOURCE_CONTROLLERS)[number];

export interface ResourceLimits {
  /** memory.max in bytes. */
  readonly memory: number | null;
  /** CPUs (0.5 = half of one): cpu.max. */
  readonly cpu: number | null;
  /** pids.max. */
  readonly pids: number | null;
}

export interface CgroupUsage {
  /** cpu.stat usage_usec (cpuacct.usage in v1): CPU time of every process the cgroup ever held. */
  readonly cpuUsec: number | null;
  /** memory.current (memory.usage_in_bytes in v1) in bytes; null without the memory controller. */
  readonly memoryBytes: number | null;
}

export const CPU_PERIOD_USEC = 100_000;

/** The CPU time a number of CPUs may take per period, in microseconds: at least 1 ms. */
export function getCpuQuotaUsec(cpus: number): number {
  return Math.max(1000, Math.round(cpus * CPU_PERIOD_USEC));
}

/** cpu.max for a number of CPUs: "quota period" in microseconds. */
export function formatCpuMax(cpus: number): string {
  return `${getCpuQuotaUsec(cpus)} ${CPU_PERIOD_USEC}`;
}

/** The name of the daemon's tree in every hierarchy: one per TEND_HOME. */
export function getTreeName(home: string): string {
  return `tend-${createHash('sha256').update(home).digest('hex').slice(0, 12)}`;
}

export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function readWords(path: string): Set<string> {
  return new Set((readText(path) ?? '').split(/\s+/).filter(Boolean));
}

/** The daemon's cgroup tree, once it has moved into it. */
export class CgroupTree {
  readonly path: string;
  /** Controllers the program cgroups get (enabled in the tree's cgroup.subtree_control). */
  readonly controllers: ReadonlySet<string>;

  readonly #base: string;

  private constructor(path: string, base: string, controllers: ReadonlySet<string>) {
    this.path = path;
    this.#base = base;
    this.controllers = controllers;
  }

  /**
   * Finds the cgroup2 hierarchy, makes the tree for `home` under the daemon's own cgroup and moves
   * the daemon (`pid`) into its leaf. Returns why not when it cannot (no cgroup2, not writable, …).
   */
  static setup(home: string, pid: number): CgroupTree | { readonly reason: string } {
    if (process.platform !== 'linux') return { reason: 'cgroups are a Linux feature' };
    const mount = findCgroup2Mount(readText('/proc/self/mountinfo') ?? '');
    if (!mount) return { reason: 'no cgroup2 hierarchy is mounted' };
    const own = findOwnCgroup(readText('/proc/self/cgroup') ?? '');
    if (own === null) return { reason: 'this process is in no cgroup2 cgroup' };
    const relative = own.startsWith(mount.root) ? own.slice(mount.root.length) : own;
    const base = join(mount.mountPoint, relative);
    const name = getTreeName(home);
    // A daemon started again inside its own tree (a program that restarts it) keeps that tree.
    const path = relative.endsWith(`/${name}/daemon`) ? join(base, '..') : join(base, name);
    try {
      mkdirSync(join(path, 'daemon'), { recursive: true });
      writeFileSync(join(path, 'daemon', 'cgroup.procs'), String(pid));
    } catch (error) {
      return {
        reason: `cannot write cgroups under ${base}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      };
    }
    removeEmptyPrograms(path);
    return new CgroupTree(path, base, enableControllers(base, path));
  }

  /**
   * On the daemon's way out: back into the cgroup it came from, and the tree removed if no program
   * is left in it (programs left running for the next daemon keep it). Best effort.
   */
  leave(pid: number): void {
    try {
      writeFileSync(join(this.#base, 'cgroup.procs'), String(pid));
      rmdirSync(join(this.path, 'daemon'));
      removeEmptyPrograms(this.path);
      rmdirSync(this.path);
    } catch {
      // the base takes no processes (controllers enabled below it), or programs still run
    }
  }

  program(name: string): ProgramCgroup {
    return new ProgramCgroup(join(this.path, `${name}.program`), this.controllers);
  }
}

/** What a SIGKILLed daemon left: empty program cgroups (rmdir refuses one that still has processes). */
export function removeEmptyPrograms(tree: string): void {
  for (const entry of readdirSync(tree)) {
    if (!entry.endsWith('.program')) continue;
    try {
      rmdirSync(join(tree, entry));
    } catch {
      // in use: an adopted program's processes are in it
    }
  }
}

/**
 * Enables memory, cpu and pids for the program cgroups where the parent offers them. The daemon's
 * own cgroup can pass them down only when it holds no process (or is the root); that is tried too.
 */
function enableControllers(base: string, tree: string): ReadonlySet<string> {
  const wanted = (available: Set<string>) =>
    RESOURCE_CONTROLLERS.filter((name) => available.has(name)).map((name) => `+${name}`);
  for (const [parent, offered] of [
    [base, join(base, 'cgroup.controllers')],
    [tree, join(tree, 'cgroup.controllers')],
  ] as const) {
    for (const controller of wanted(readWords(offered))) {
      try {
        writeFileSync(join(parent, 'cgroup.subtree_control'), controller);
      } catch {
        // EBUSY: processes in that cgroup; the controller stays off below it
      }
    }
  }
  return readWords(join(tree, 'cgroup.subtree_control'));
}

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

/** Opens nothing and closes an fd quietly: the spawn's copy of cgroup.procs. */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
