import type { RestartPolicy } from '../config/program-schema.js';
import type { Desired, ExitInfo, State } from '../program-record.js';

// What the transition table speaks: its inputs (events), its outputs (effects), what it is told
// (the context). The states and event names themselves are in program-record.ts.

export type MachineEvent =
  | {
      readonly type:
        | 'start'
        | 'stop'
        | 'restart'
        | 'ready'
        | 'backoff-elapsed'
        | 'stop-timeout'
        | 'adopt'
        | 'start-timeout'
        | 'watchdog-ping'
        | 'watchdog-timeout'
        /** Every startup and ready check of the current process passes (docs/health.md). */
        | 'checks-passed';
    }
  /** An alive check turned unhealthy, or a startup check ran out of budget: `reason` says which and why. */
  | { readonly type: 'health-failed'; readonly reason: string }
  | { readonly type: 'exit'; readonly exit: ExitInfo }
  /** transient: the system was out of something (fds, processes, memory): worth another try. */
  | { readonly type: 'spawn-failed'; readonly reason: string; readonly transient?: boolean }
  /** EXTEND_TIMEOUT_USEC (like systemd): a starting program asks for `ms` more to become ready. */
  | { readonly type: 'extend-timeout'; readonly ms: number }
  /** A new daemon found this program waiting in backoff since `since` (ms since the epoch). */
  | { readonly type: 'resume-backoff'; readonly since: number }
  /** `tend reload`: the program reloads itself (reloadSignal), or a new process replaces it. */
  | { readonly type: 'reload' }
  /** The new process of a reload said it is ready (or startSecs passed); `checks`: its checks pass. */
  | { readonly type: 'next-ready'; readonly part?: 'checks' }
  | { readonly type: 'next-exit'; readonly exit: ExitInfo }
  /** The new process was not ready within startTimeout (with reloadSignal: no READY=1 in time). */
  | { readonly type: 'next-timeout' }
  /** A check of the new process failed (an alive check, a startup check out of budget). */
  | { readonly type: 'next-failed'; readonly reason: string }
  /** MAINPID= (or the pid file): the program's main process is now `pid` (nginx's binary upgrade). */
  | { readonly type: 'main-pid'; readonly pid: number; readonly source: string };

export type Timer =
  | 'ready'
  | 'backoff'
  | 'stop-deadline'
  | 'start-deadline'
  | 'watchdog'
  | 'next-ready'
  | 'next-deadline';

/** How a program tells it is ready: it stays up `startSecs`, or says so (sd_notify READY=1, or a line on an fd). */
export type Readiness = 'startSecs' | 'notify' | 'fd';

export type Effect =
  | { readonly type: 'spawn' }
  | { readonly type: 'kill-group'; readonly signal: NodeJS.Signals }
  | { readonly type: 'reap-group'; readonly signal: NodeJS.Signals }
  | { readonly type: 'arm-timer'; readonly timer: Timer; readonly ms: number }
  | { readonly type: 'cancel-timers' }
  | { readonly type: 'count-restart' }
  | { readonly type: 'set-failures'; readonly consecutive: number; readonly recent: readonly number[] }
  /** Remembers, for the current process, one of the two halves of readiness that has arrived. */
  | { readonly type: 'note-ready'; readonly part: 'said' | 'checks' }
  /** Remembers why the current process is being killed, for the reason its exit is recorded with. */
  | { readonly type: 'note-kill-cause'; readonly cause: string }
  /** A reload: spawn the new process beside the running one (same sockets). */
  | { readonly type: 'spawn-next' }
  /** The new process is ready: it becomes the main one; the old one gets the stop signal. */
  | { readonly type: 'promote-next' }
  /** The new process failed: it is stopped (stop signal, SIGKILL at the stop timeout); the old one stays. */
  | { readonly type: 'retire-next' }
  | { readonly type: 'note-next-ready'; readonly part: 'said' | 'checks' }
  | { readonly type: 'cancel-timer'; readonly timer: Timer }
  /** reloadSignal: to the main process only, as `tend signal` does. */
  | { readonly type: 'signal-main'; readonly signal: NodeJS.Signals }
  /** The main process is now another one (MAINPID=): watched from here on, not taken for an exit. */
  | { readonly type: 'follow-pid'; readonly pid: number };

/** What the table needs to know about a program: its policy, its recent history and the clock. */
export interface MachineContext {
  readonly restart: RestartPolicy;
  readonly successExitCodes: readonly number[];
  readonly restartDelayMs: number;
  readonly backoff: {
    readonly initialMs: number;
    readonly multiplier: number;
    readonly maxMs: number;
    readonly resetAfterMs: number;
  };
  readonly giveUp: { readonly failures: number; readonly withinMs: number } | null;
  readonly startSecsMs: number;
  readonly readiness: Readiness;
  /** The program has startup or ready checks: they must pass too (with startSecs, instead of it). */
  readonly readyChecks: boolean;
  /** What has arrived of readiness for the current process: the program said so, the checks pass. */
  readonly readySoFar: { readonly said: boolean; readonly checks: boolean };
  /** Set when tend killed the current process for a reason (a failed health check). */
  readonly killCause: string | null;
  /** A program that reloads itself on this signal (nginx, gunicorn); null: reload replaces the process. */
  readonly reloadSignal: NodeJS.Signals | null;
  /** During a replacing reload: what has arrived of the new process's readiness; null otherwise. */
  readonly next: { readonly said: boolean; readonly checks: boolean } | null;
  /** notify/fd: a program not ready within this is killed and counts as a failed start. */
  readonly startTimeoutMs: number;
  /** notify: a running program must send WATCHDOG=1 within this, or it is aborted and restarted. */
  readonly watchdogMs: number | null;
  readonly stopSignal: NodeJS.Signals;
  readonly stopTimeoutMs: number;
  readonly desired: Desired;
  readonly consecutiveFailures: number;
  readonly recentFailures: readonly number[];
  readonly now: number;
}

export interface Transition {
  readonly next: State;
  readonly effects: readonly Effect[];
  /** Set when the event changes what the user wants (start/stop/restart). */
  readonly desired?: Desired;
  /** A short human reason recorded with the state change. */
  readonly reason?: string;
}

export function isActive(state: State): boolean {
  return hasProcess(state) || state === 'backoff';
}

export function hasProcess(state: State): boolean {
  return state === 'starting' || state === 'running' || state === 'stopping' || state === 'reloading';
}
