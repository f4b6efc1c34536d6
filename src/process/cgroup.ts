import { createHash } from 'node:crypto';
import { closeSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

// What cgroup v2 and v1 share: the resource controllers and limits tend sets, usage, the CPU quota's
// arithmetic, the tree's name per TEND_HOME, and the small file helpers. The v2 tree is
// cgroup-tree.ts and a v2 program's cgroup cgroup-program.ts; v1 is cgroup-v1.ts.

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

/** Opens nothing and closes an fd quietly: the spawn's copy of cgroup.procs. */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
