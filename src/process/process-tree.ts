import { getNativeHelper } from '../native.js';
import type { ProcReader } from '../proc/proc-reader.js';
import { readProcStat, UNREADABLE } from '../proc/stat.js';
import {
  type CgroupUsage,
  closeQuietly,
  RESOURCE_CONTROLLERS,
  type ResourceController,
  type ResourceLimits,
} from './cgroup.js';
import { CgroupTree } from './cgroup-tree.js';
import { CgroupV1Trees } from './cgroup-v1.js';
import { describeControllers, type LimitCgroups, type LimitPlace, placeLimits } from './limit-places.js';
import { TaggedSweep } from './sweep.js';

// Every process of one program instance, however far it strayed from the main process: its cgroup
// where the daemon has a cgroup v2 tree, else the processes whose environment names this TEND_HOME and
// this program (they inherit it), found by one sweep of /proc. The process group is signalled by
// ProcessGroup as before; this reaches the ones that left it (setsid, a double fork). Limits go to the
// v2 cgroup where its tree has the controller, else to a cgroup v1 hierarchy that has it (a hybrid
// host, cgroup-v1.ts), in either tracking mode; the child joins all of its cgroups before exec.

export type TrackingMode = 'cgroup' | 'process-group';

export interface Tracking {
  readonly mode: TrackingMode;
  /** The program's cgroup directory, in cgroup mode. */
  readonly cgroup: string | null;
  /** Where each limit the program has is applied; a limit that is not is absent (see note). */
  readonly limits: Readonly<Partial<Record<ResourceController, LimitPlace>>>;
  /** What `show` says about limits that are not applied, and why; null when all are. */
  readonly note: string | null;
}

export interface ProcessTree {
  readonly tracking: Tracking;
  /**
   * Before a spawn: the cgroup directory the child is born in (v2, an fd) and the cgroup v1
   * cgroup.procs fds it moves itself into (limits on a hybrid host), to release after the spawn.
   */
  beforeSpawn(): {
    readonly cgroupFd?: number;
    /** The child may be cloned straight into that cgroup (see ProgramCgroup.prepare). */
    readonly cloneIntoCgroup?: boolean;
    readonly cgroupProcsFds: readonly number[];
    release(): void;
  };
  /** Signals the program's processes outside process group `pgid`; false when there were none. */
  signalOthers(pgid: number | null, signal: NodeJS.Signals): boolean;
  /** How many of the program's processes are alive (a main that forked into the background left them). */
  countAlive(): number;
  /** OOM kills in the program's cgroups (v2 and v1) since the last spawn. */
  takeOomKills(): number;
  /** CPU and memory of the whole tree, from its cgroups; null without any. */
  usage(): CgroupUsage | null;
  /** Removes its empty cgroups (a program deleted, a daemon leaving); a cgroup still in use stays. */
  remove(): void;
}

export interface TrackingOptions {
  readonly home: string;
  readonly name: string;
  readonly limits: ResourceLimits;
}

export type ProcessTreeFactory = (options: TrackingOptions) => ProcessTree;

/** The daemon's trees, as they carry limits. */
type DaemonCgroups = LimitCgroups & { readonly v1: CgroupV1Trees | null };

/** For the daemon: a cgroup tree when one can be written, else group + sweep; says which and why. */
export function createProcessTrees(
  home: string,
  pid: number,
  proc: ProcReader,
): {
  readonly create: ProcessTreeFactory;
  readonly mode: TrackingMode;
  readonly detail: string;
  /** Where each controller's limits go, for the daemon's log. */
  readonly limitsDetail: string;
  /** On the daemon's way out (after its programs stopped or were released). */
  readonly leave: () => void;
} {
  const unavailable =
    process.env.TEND_NO_CGROUP === '1'
      ? 'TEND_NO_CGROUP=1'
      : !getNativeHelper()?.spawnProcess
        ? 'no native spawner to start programs inside a cgroup'
        : null;
  const setup = unavailable === null ? CgroupTree.setup(home, pid) : { reason: unavailable };
  const v2 = setup instanceof CgroupTree ? setup : null;
  const missingInV2 = RESOURCE_CONTROLLERS.filter((name) => !v2?.controllers.has(name));
  // Without the native spawner no cgroup can be joined before exec: no v1 either.
  const v1 = unavailable === null && missingInV2.length > 0 ? CgroupV1Trees.setup(home, missingInV2) : null;
  const whyNotV2 = v2
    ? `not enabled in ${v2.path}/cgroup.subtree_control`
    : (setup as { reason: string }).reason;
  const limits: DaemonCgroups = { v2, v1, whyNotV2 };
  const limitsDetail = describeControllers(limits);
  const leaveV1 = () => v1?.leave();
  if (!v2) {
    const sweep = new TaggedSweep(proc);
    return {
      create: (options) => createSweptTree(options, limits, sweep),
      mode: 'process-group',
      detail: whyNotV2,
      limitsDetail,
      leave: leaveV1,
    };
  }
  const enabled = [...v2.controllers].join(' ') || 'none';
  return {
    create: (options) => createCgroupTree(v2, options, limits),
    mode: 'cgroup',
    detail: `${v2.path} (controllers: ${enabled})`,
    limitsDetail,
    leave: () => {
      v2.leave(pid);
      leaveV1();
    },
  };
}

function createCgroupTree(tree: CgroupTree, options: TrackingOptions, cgroups: DaemonCgroups): ProcessTree {
  const cgroup = tree.program(options.name);
  const v1 = cgroups.v1?.program(options.name, options.limits) ?? null;
  let oomBaseline = 0;
  const countOomKills = () => cgroup.oomKills() + (v1?.oomKills() ?? 0);
  return {
    tracking: {
      mode: 'cgroup',
      cgroup: cgroup.path,
      ...placeLimits(cgroups, options.limits, cgroup.path, v1),
    },
    beforeSpawn() {
      const { fd: directory, fresh } = cgroup.prepare(options.limits);
      let procs: number[];
      try {
        procs = v1?.prepare(options.limits) ?? [];
      } catch (error) {
        closeQuietly(directory);
        throw error;
      }
      oomBaseline = countOomKills();
      return {
        cgroupFd: directory,
        cloneIntoCgroup: fresh,
        cgroupProcsFds: procs,
        release: () => [directory, ...procs].forEach(closeQuietly),
      };
    },
    signalOthers(pgid, signal) {
      if (signal === 'SIGKILL') return cgroup.signal('SIGKILL') > 0;
      const others = cgroup.pids().filter((pid) => readGroupOf(pid) !== pgid);
      for (const pid of others) signalQuietly(pid, signal);
      return others.length > 0;
    },
    countAlive: () => cgroup.pids().length,
    takeOomKills() {
      const kills = countOomKills();
      const fresh = kills - oomBaseline;
      oomBaseline = kills;
      return fresh;
    },
    usage() {
      const own = cgroup.usage();
      const limited = v1?.usage();
      return {
        cpuUsec: own.cpuUsec ?? limited?.cpuUsec ?? null,
        memoryBytes: own.memoryBytes ?? limited?.memoryBytes ?? null,
      };
    },
    remove() {
      cgroup.remove();
      v1?.remove();
    },
  };
}

function createSweptTree(options: TrackingOptions, cgroups: DaemonCgroups, sweep: TaggedSweep): ProcessTree {
  const v1 = cgroups.v1?.program(options.name, options.limits) ?? null;
  let oomBaseline = 0;
  return {
    tracking: { mode: 'process-group', cgroup: null, ...placeLimits(cgroups, options.limits, null, v1) },
    beforeSpawn() {
      const fds = v1?.prepare(options.limits) ?? [];
      oomBaseline = v1?.oomKills() ?? 0;
      return { cgroupProcsFds: fds, release: () => fds.forEach(closeQuietly) };
    },
    signalOthers(pgid, signal) {
      const others = sweep
        .findTaggedProcesses(options.home, options.name)
        .filter((found) => found.pgid !== pgid);
      for (const found of others) signalQuietly(found.pid, signal);
      return others.length > 0;
    },
    countAlive: () => sweep.findTaggedProcesses(options.home, options.name).length,
    takeOomKills() {
      const kills = v1?.oomKills() ?? 0;
      const fresh = kills - oomBaseline;
      oomBaseline = kills;
      return fresh;
    },
    usage: () => (v1 && v1.places.size > 0 ? v1.usage() : null),
    remove: () => v1?.remove(),
  };
}

function readGroupOf(pid: number): number | null {
  const stat = readProcStat(pid);
  return stat === null || stat === UNREADABLE ? null : stat.pgrp;
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone meanwhile
  }
}
