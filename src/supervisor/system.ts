import { spawn } from 'node:child_process';
import { type Clock, nodeClock, type TimerHandle } from '../clock.js';
import { SpawnFailedError } from '../errors.js';
import { getNativeHelper } from '../native.js';
import { isAlive, isInGroup, isSameProcess, readStartTime } from '../proc/liveness.js';
import { findLeftovers } from './leftovers.js';

// The seam between the supervision logic and the operating system (supervisord's `options.fork()`):
// spawning, signalling, what the kernel says about a pid, the clock and timers. Tests substitute a
// fake (fake-system.ts); the daemon uses `nodeSystem`.

export { MAX_TIMER_MS, type TimerHandle } from '../clock.js';

export interface SpawnRequest {
  readonly name: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: number;
  readonly stderr: number;
  readonly uid?: number;
  readonly gid?: number;
  /** More fds for the child, each placed at fd number `at` (the readiness fd). */
  readonly extraFds?: readonly { readonly fd: number; readonly at: number }[];
}

export interface ChildHandle {
  /** undefined when the exec failed; the reason then arrives through onError. */
  readonly pid: number | undefined;
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  onError(listener: (error: Error) => void): void;
}

export interface System extends Clock {
  spawn(request: SpawnRequest): ChildHandle;
  /** Sends a signal; a negative pid addresses a process group. Returns false when nothing was there. */
  kill(pid: number, signal: NodeJS.Signals): boolean;
  /** The start time of a live, non-zombie process (clock ticks since boot); null when gone or unknown. */
  readStartTime(pid: number): number | null;
  /** True when `pid` is still the very process that was recorded with `startTime`. */
  isSameProcess(pid: number, startTime: number | null): boolean;
  /** True when `pid` is a member of process group `pgid`. */
  isInGroup(pid: number, pgid: number | null): boolean;
  /** Alive and not a zombie. */
  isAlive(pid: number): boolean;
  /** Live processes of `uid` left in group or session `pgid` by a main process that is gone (leftovers.ts). */
  findLeftovers(pgid: number, leaderStartTime: number | null, uid: number): number[];
  /**
   * Calls onExit once when `pid` (not necessarily a child) ends. null when the platform cannot tell
   * (no pidfd) or the process is already gone; the caller then checks for itself.
   */
  watchExit?(pid: number, onExit: () => void): TimerHandle | null;
}

export const nodeSystem: System = {
  spawn(request) {
    const [file, ...args] = request.argv;
    if (!file) throw new SpawnFailedError(request.name, 'empty command');
    // detached: the child calls setsid(), so it leads its own session and process group.
    const child = spawn(file, args, {
      cwd: request.cwd,
      env: request.env,
      stdio: getStdio(request),
      detached: true,
      ...(request.uid !== undefined ? { uid: request.uid } : {}),
      ...(request.gid !== undefined ? { gid: request.gid } : {}),
    });
    return {
      pid: child.pid,
      onExit: (listener) => child.once('exit', listener),
      onError: (listener) => child.on('error', listener),
    };
  },
  kill(pid, signal) {
    try {
      process.kill(pid, signal);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw error;
    }
  },
  now: nodeClock.now,
  setTimer: nodeClock.setTimer,
  readStartTime,
  isSameProcess,
  isInGroup,
  isAlive,
  findLeftovers,
  watchExit(pid, onExit) {
    const native = getNativeHelper();
    if (!native?.watchExit) return null;
    try {
      const watch = native.watchExit(pid, onExit);
      return { cancel: () => watch.close() };
    } catch {
      return null;
    }
  },
};

function getStdio(request: SpawnRequest): (number | 'ignore')[] {
  const stdio: (number | 'ignore')[] = ['ignore', request.stdout, request.stderr];
  for (const extra of request.extraFds ?? []) {
    while (stdio.length < extra.at) stdio.push('ignore');
    stdio[extra.at] = extra.fd;
  }
  return stdio;
}
