import { mkdirSync, openSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CgroupUsage,
  CPU_PERIOD_USEC,
  closeQuietly,
  getCpuQuotaUsec,
  type ResourceController,
  type ResourceLimits,
  readText,
} from './cgroup.js';

// One program instance's cgroup v1 cgroups (cgroup-v1.ts), one per controller it has a limit for, and
// the files that carry each limit: memory.limit_in_bytes (and memory.memsw.limit_in_bytes where
// swap is accounted, so the program cannot swap, as memory.swap.max=0 does in v2), cpu.cfs_quota_us
// over cpu.cfs_period_us, pids.max.

export interface LimitWrite {
  readonly file: string;
  readonly value: string;
}

const UNLIMITED = '-1';

/** The writes that set one controller's limit (or lift it, for null), in an order the kernel takes. */
export function getV1LimitWrites(controller: ResourceController, limits: ResourceLimits): LimitWrite[] {
  switch (controller) {
    case 'memory': {
      const bytes = limits.memory === null ? UNLIMITED : String(limits.memory);
      // memsw may never be below the memory limit: lift it first, then lower both.
      return [
        { file: 'memory.memsw.limit_in_bytes', value: UNLIMITED },
        { file: 'memory.limit_in_bytes', value: bytes },
        { file: 'memory.memsw.limit_in_bytes', value: bytes },
      ];
    }
    case 'cpu':
      return [
        { file: 'cpu.cfs_period_us', value: String(CPU_PERIOD_USEC) },
        {
          file: 'cpu.cfs_quota_us',
          value: limits.cpu === null ? UNLIMITED : String(getCpuQuotaUsec(limits.cpu)),
        },
      ];
    case 'pids':
      return [{ file: 'pids.max', value: limits.pids === null ? 'max' : String(limits.pids) }];
  }
}

/**
 * OOM kills so far: the `oom_kill` line of memory.oom_control (Linux 4.13); before that kernels say
 * only how often the limit was hit (memory.failcnt), which with a SIGKILL is the best sign there is.
 */
export function parseOomKills(oomControl: string | null, failcnt: string | null): number {
  const kills = /^oom_kill (\d+)$/m.exec(oomControl ?? '');
  if (kills) return Number(kills[1]);
  const hits = Number.parseInt(failcnt ?? '', 10);
  return Number.isNaN(hits) ? 0 : hits;
}

/** Every method tolerates cgroups that are already gone. */
export class ProgramCgroupsV1 {
  /** Controller → the cgroup that carries its limit. */
  readonly places: ReadonlyMap<ResourceController, string>;

  constructor(places: ReadonlyMap<ResourceController, string>) {
    this.places = places;
  }

  /** Creates the cgroups, writes the limits, opens each cgroup.procs once (the caller closes them). */
  prepare(limits: ResourceLimits): number[] {
    for (const [controller, path] of this.places) {
      mkdirSync(path, { recursive: true });
      for (const write of getV1LimitWrites(controller, limits))
        writeQuietly(join(path, write.file), write.value);
    }
    const fds: number[] = [];
    try {
      // Two controllers mounted together (cpu,memory) share one cgroup: it is joined once.
      for (const path of new Set(this.places.values())) fds.push(openSync(join(path, 'cgroup.procs'), 'w'));
    } catch (error) {
      for (const fd of fds) closeQuietly(fd);
      throw error;
    }
    return fds;
  }

  oomKills(): number {
    const path = this.places.get('memory');
    if (path === undefined) return 0;
    return parseOomKills(readText(join(path, 'memory.oom_control')), readText(join(path, 'memory.failcnt')));
  }

  /** memory.usage_in_bytes, and cpuacct.usage (ns) where cpuacct is mounted with cpu; null where not. */
  usage(): CgroupUsage {
    const memory = this.places.get('memory');
    const cpu = this.places.get('cpu');
    const bytes = memory === undefined ? null : readText(join(memory, 'memory.usage_in_bytes'));
    const nanoseconds = cpu === undefined ? null : readText(join(cpu, 'cpuacct.usage'));
    return {
      cpuUsec: nanoseconds === null ? null : Math.floor(Number(nanoseconds.trim()) / 1000),
      memoryBytes: bytes === null ? null : Number(bytes.trim()),
    };
  }

  /** Removes the cgroups that are empty; one still in use stays. */
  remove(): void {
    for (const path of new Set(this.places.values())) {
      try {
        rmdirSync(path);
      } catch {
        // EBUSY (processes left) or already gone
      }
    }
  }
}

function writeQuietly(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch {
    // memory.memsw.* without swap accounting, say: the other limits still apply
  }
}
