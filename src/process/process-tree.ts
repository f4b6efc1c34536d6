import { getNativeHelper } from '../native.js';
import { readProcStat, UNREADABLE } from '../proc/stat.js';
import { CgroupTree, type CgroupUsage, closeQuietly, type ResourceLimits } from './cgroup.js';
import { findTaggedProcesses } from './sweep.js';

// Every process of one program instance, however far it strayed from the main process: its cgroup
// where the daemon has a cgroup tree, else the processes whose environment names this TEND_HOME and
// this program (they inherit it), found by one sweep of /proc. The process group is signalled by
// ProcessGroup as before; this reaches the ones that left it (setsid, a double fork).

export type TrackingMode = 'cgroup' | 'process-group';

export interface Tracking {
  readonly mode: TrackingMode;
  /** The program's cgroup directory, in cgroup mode. */
  readonly cgroup: string | null;
  /** What `show` says about limits that are not applied, and why; null when all are. */
  readonly note: string | null;
}

export interface ProcessTree {
  readonly tracking: Tracking;
  /** Before a spawn: the cgroup directory the child is born in (an fd), to release after the spawn. */
  beforeSpawn(): { readonly cgroupFd?: number; release(): void };
  /** Signals the program's processes outside process group `pgid`; false when there were none. */
  signalOthers(pgid: number | null, signal: NodeJS.Signals): boolean;
  /** How many of the program's processes are alive (a main that forked into the background left them). */
  countAlive(): number;
  /** OOM kills in the program's cgroup since the last spawn. */
  takeOomKills(): number;
  /** CPU and memory of the whole tree (cgroup mode only). */
  usage(): CgroupUsage | null;
  /** Removes an empty cgroup (a program deleted, a daemon leaving); a cgroup still in use stays. */
  remove(): void;
}

export interface TrackingOptions {
  readonly home: string;
  readonly name: string;
  readonly limits: ResourceLimits;
}

export type ProcessTreeFactory = (options: TrackingOptions) => ProcessTree;

/** For the daemon: a cgroup tree when one can be written, else group + sweep; says which and why. */
export function createProcessTrees(
  home: string,
  pid: number,
): {
  readonly create: ProcessTreeFactory;
  readonly mode: TrackingMode;
  readonly detail: string;
  /** On the daemon's way out (after its programs stopped or were released). */
  readonly leave: () => void;
} {
  const tree =
    process.env.TEND_NO_CGROUP === '1'
      ? { reason: 'TEND_NO_CGROUP=1' }
      : !getNativeHelper()?.spawnProcess
        ? { reason: 'no native spawner to start programs inside a cgroup' }
        : CgroupTree.setup(home, pid);
  if (!(tree instanceof CgroupTree)) {
    return {
      create: (options) => createSweptTree(options, tree.reason),
      mode: 'process-group',
      detail: tree.reason,
      leave: () => {},
    };
  }
  const enabled = [...tree.controllers].join(' ') || 'none';
  return {
    create: (options) => createCgroupTree(tree, options),
    mode: 'cgroup',
    detail: `${tree.path} (controllers: ${enabled})`,
    leave: () => tree.leave(pid),
  };
}

function createCgroupTree(tree: CgroupTree, options: TrackingOptions): ProcessTree {
  const cgroup = tree.program(options.name);
  const missing = cgroup.missingControllers(options.limits);
  let oomBaseline = 0;
  return {
    tracking: {
      mode: 'cgroup',
      cgroup: cgroup.path,
      note:
        missing.length === 0
          ? null
          : `limits not applied: no ${missing.join(', ')} controller in ${tree.path}'s cgroup.subtree_control`,
    },
    beforeSpawn() {
      const fd = cgroup.prepare(options.limits);
      oomBaseline = cgroup.oomKills();
      return { cgroupFd: fd, release: () => closeQuietly(fd) };
    },
    signalOthers(pgid, signal) {
      if (signal === 'SIGKILL') return cgroup.signal('SIGKILL') > 0;
      const others = cgroup.pids().filter((pid) => readGroupOf(pid) !== pgid);
      for (const pid of others) signalQuietly(pid, signal);
      return others.length > 0;
    },
    countAlive: () => cgroup.pids().length,
    takeOomKills() {
      const kills = cgroup.oomKills();
      const fresh = kills - oomBaseline;
      oomBaseline = kills;
      return fresh;
    },
    usage: () => cgroup.usage(),
    remove: () => cgroup.remove(),
  };
}

function createSweptTree(options: TrackingOptions, reason: string): ProcessTree {
  const limited = Object.entries(options.limits).some(([, value]) => value !== null);
  return {
    tracking: {
      mode: 'process-group',
      cgroup: null,
      note: limited ? `limits not applied: no cgroup for this daemon (${reason})` : null,
    },
    beforeSpawn: () => ({ release: () => {} }),
    signalOthers(pgid, signal) {
      const others = findTaggedProcesses(options.home, options.name).filter((found) => found.pgid !== pgid);
      for (const found of others) signalQuietly(found.pid, signal);
      return others.length > 0;
    },
    countAlive: () => findTaggedProcesses(options.home, options.name).length,
    takeOomKills: () => 0,
    usage: () => null,
    remove: () => {},
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
