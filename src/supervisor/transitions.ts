import type { EventType, ExitInfo, State } from '../program-record.js';
import { getBackoffDelayMs, getRecentFailures, isQuickExit } from './backoff.js';
import type { MachineContext, MachineEvent, Transition } from './states.js';
import { arriveReady, healthFailed, killAfterDeadline } from './transitions-health.js';
import {
  beginReload,
  followMainPid,
  nextReady,
  reloadFailed,
  selfReloaded,
  stopDuringReload,
} from './transitions-reload.js';

// The whole supervision logic as one table: transitions[state][event] → next state and effects.
// Every cell is filled. `IMPOSSIBLE` cells make the runtime throw an error naming program, state and event.

export const IMPOSSIBLE = 'impossible' as const;
type Cell = Transition | typeof IMPOSSIBLE | ((ctx: MachineContext, event: MachineEvent) => Transition);

const stay = (state: State, reason?: string): Transition => ({ next: state, effects: [], reason });

function spawnNow(ctx: MachineContext, counted: boolean): Transition {
  return {
    next: 'starting',
    effects: [
      { type: 'cancel-timers' },
      ...(counted ? [{ type: 'count-restart' } as const] : []),
      { type: 'spawn' },
      // With startup or ready checks, they are the readiness of a startSecs program, bounded by startTimeout.
      ctx.readiness === 'startSecs' && !ctx.readyChecks
        ? { type: 'arm-timer', timer: 'ready', ms: ctx.startSecsMs }
        : { type: 'arm-timer', timer: 'start-deadline', ms: ctx.startTimeoutMs },
    ],
  };
}

function startFresh(ctx: MachineContext): Transition {
  const spawn = spawnNow(ctx, false);
  return {
    ...spawn,
    effects: [{ type: 'set-failures', consecutive: 0, recent: [] }, ...spawn.effects],
    desired: 'running',
  };
}

function beginStop(ctx: MachineContext, desired: 'running' | 'stopped'): Transition {
  return {
    next: 'stopping',
    effects: [
      { type: 'cancel-timers' },
      { type: 'kill-group', signal: ctx.stopSignal },
      { type: 'arm-timer', timer: 'stop-deadline', ms: ctx.stopTimeoutMs },
    ],
    desired,
  };
}

function describeExit(exit: ExitInfo): string {
  if (exit.signal) return `killed by ${exit.signal}${exit.cause ? ` (${exit.cause})` : ''}`;
  if (exit.code === null) return 'exited with an unknown status (it was not a child of this daemon)';
  if (exit.code === 0 && exit.leftBehind)
    return `exited 0 after ${exit.uptimeMs} ms while ${exit.leftBehind} process(es) it started live on: it forks into the background; run it in the foreground (e.g. nginx -g 'daemon off;', redis-server --daemonize no)`;
  return `exited with code ${exit.code}`;
}

function isSuccess(ctx: MachineContext, exit: ExitInfo): boolean {
  return exit.signal === null && exit.code !== null && ctx.successExitCodes.includes(exit.code);
}

/** The heart of the policy: an unexpected exit becomes a restart now, a backoff, `exited` or `fatal`. */
export function decideAfterExit(ctx: MachineContext, exit: ExitInfo, wasStarting: boolean): Transition {
  // A process killed for failing its checks has failed, however long it ran: it backs off and counts
  // towards giving up (its count starts over when it had run stably first).
  const health = ctx.killCause !== null;
  const what = health ? `health: ${ctx.killCause}; ${describeExit(exit)}` : describeExit(exit);
  const wantsRestart = ctx.restart === 'always' || (ctx.restart === 'on-failure' && !isSuccess(ctx, exit));
  if (!wantsRestart) {
    const reap = { type: 'reap-group', signal: ctx.stopSignal } as const;
    return { next: 'exited', effects: [{ type: 'cancel-timers' }, reap], reason: what };
  }
  // A new run follows (now or after a wait): what is left of the old one dies at once, so the two
  // never run side by side, even when the leftovers ignore the stop signal.
  const reap = { type: 'reap-group', signal: 'SIGKILL' } as const;
  const quick = isQuickExit(ctx, exit.uptimeMs, wasStarting);
  if (!quick && !health) {
    const restart = spawnNow(ctx, true);
    const reset = { type: 'set-failures', consecutive: 0, recent: [] } as const;
    if (ctx.restartDelayMs === 0)
      return { ...restart, effects: [reap, reset, ...restart.effects], reason: what };
    return {
      next: 'backoff',
      effects: [
        { type: 'cancel-timers' },
        reap,
        reset,
        { type: 'arm-timer', timer: 'backoff', ms: ctx.restartDelayMs },
      ],
      reason: what,
    };
  }
  const consecutive = (quick ? ctx.consecutiveFailures : 0) + 1;
  const recent = ctx.giveUp ? getRecentFailures(ctx) : [];
  const failures = { type: 'set-failures', consecutive, recent } as const;
  if (ctx.giveUp && recent.length >= ctx.giveUp.failures) {
    return {
      next: 'fatal',
      effects: [{ type: 'cancel-timers' }, { type: 'reap-group', signal: ctx.stopSignal }, failures],
      reason: `${what}; gave up after ${recent.length} failed starts within ${ctx.giveUp.withinMs} ms`,
    };
  }
  const delayMs = getBackoffDelayMs(ctx, consecutive);
  return {
    next: 'backoff',
    effects: [
      { type: 'cancel-timers' },
      reap,
      failures,
      { type: 'arm-timer', timer: 'backoff', ms: delayMs },
    ],
    reason: `${what}; retrying in ${delayMs} ms`,
  };
}

/**
 * A spawn that failed for want of fds, processes or memory (EMFILE, ENFILE, EAGAIN, ENOMEM) says
 * nothing about the program: it waits in backoff like a quick exit and tries again, never fatal
 * (give-up does not count it), however long the shortage lasts.
 */
function retryAfterTransientFailure(ctx: MachineContext, reason: string): Transition {
  const consecutive = ctx.consecutiveFailures + 1;
  const delayMs = getBackoffDelayMs(ctx, consecutive);
  return {
    next: 'backoff',
    effects: [
      { type: 'cancel-timers' },
      { type: 'set-failures', consecutive, recent: ctx.recentFailures },
      { type: 'arm-timer', timer: 'backoff', ms: delayMs },
    ],
    reason: `${reason}; a shortage of system resources, retrying in ${delayMs} ms`,
  };
}

function exitOf(event: MachineEvent): ExitInfo {
  if (event.type !== 'exit') throw new Error(`expected an exit event, got ${event.type}`);
  return event.exit;
}

function becomeReady(ctx: MachineContext): Transition {
  const watchdog =
    ctx.watchdogMs === null ? [] : [{ type: 'arm-timer', timer: 'watchdog', ms: ctx.watchdogMs } as const];
  return { next: 'running', effects: [{ type: 'cancel-timers' }, ...watchdog] };
}

function watchdogPing(ctx: MachineContext): Transition {
  if (ctx.watchdogMs === null) return stay('running');
  return { next: 'running', effects: [{ type: 'arm-timer', timer: 'watchdog', ms: ctx.watchdogMs }] };
}

// A hung program: SIGABRT (so it can dump core), SIGKILL at the stop timeout; its exit then
// follows the restart policy like any other.
function watchdogExpired(ctx: MachineContext): Transition {
  return {
    next: 'running',
    effects: [
      { type: 'kill-group', signal: 'SIGABRT' },
      { type: 'arm-timer', timer: 'stop-deadline', ms: ctx.stopTimeoutMs },
    ],
    reason: `watchdog: no WATCHDOG=1 within ${ctx.watchdogMs} ms; sent SIGABRT`,
  };
}

// A program that asks for more time to start (EXTEND_TIMEOUT_USEC): the start deadline moves.
function extendStart(_ctx: MachineContext, event: MachineEvent): Transition {
  const ms = event.type === 'extend-timeout' ? event.ms : 0;
  return { next: 'starting', effects: [{ type: 'arm-timer', timer: 'start-deadline', ms }] };
}

// A daemon restart must not reset a crash loop: the program waits out the rest of its delay, never
// more than the whole delay (a record stamped by a clock that ran ahead must not stall it).
function resumeBackoff(ctx: MachineContext, event: MachineEvent): Transition {
  const since = event.type === 'resume-backoff' ? event.since : ctx.now;
  const delayMs = getBackoffDelayMs(ctx, ctx.consecutiveFailures);
  const remainingMs = Math.min(delayMs, Math.max(0, since + delayMs - ctx.now));
  return { next: 'backoff', effects: [{ type: 'arm-timer', timer: 'backoff', ms: remainingMs }] };
}

// `ready` outside `starting` changes nothing: tend/daemon sends READY=1 after every reload, and with
// the fd protocol a leftover of the group can still write a newline after the main process is gone.
// `extend-timeout` comes only from a process of the program, so never where there is none.
const TABLE: Record<State, Record<EventType, Cell>> = {
  stopped: {
    start: startFresh,
    stop: stay('stopped'),
    restart: startFresh,
    ready: stay('stopped'),
    exit: IMPOSSIBLE,
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': IMPOSSIBLE,
    'stop-timeout': IMPOSSIBLE,
    adopt: { next: 'running', effects: [], desired: 'running', reason: 'adopted by a new daemon' },
    'start-timeout': IMPOSSIBLE,
    'watchdog-ping': stay('stopped'),
    'watchdog-timeout': IMPOSSIBLE,
    'extend-timeout': IMPOSSIBLE,
    'resume-backoff': IMPOSSIBLE,
    'checks-passed': stay('stopped'),
    'health-failed': stay('stopped'),
    reload: IMPOSSIBLE,
    'next-ready': stay('stopped'),
    'next-exit': stay('stopped'),
    'next-timeout': stay('stopped'),
    'next-failed': stay('stopped'),
    'main-pid': stay('stopped'),
  },
  starting: {
    start: stay('starting'),
    stop: (ctx) => beginStop(ctx, 'stopped'),
    restart: (ctx) => beginStop(ctx, 'running'),
    ready: arriveReady('said', becomeReady),
    exit: (ctx, event) => decideAfterExit(ctx, exitOf(event), true),
    'spawn-failed': (ctx, event) => {
      const reason = event.type === 'spawn-failed' ? event.reason : 'spawn failed';
      if (event.type === 'spawn-failed' && event.transient) return retryAfterTransientFailure(ctx, reason);
      return { next: 'fatal', effects: [{ type: 'cancel-timers' }], reason };
    },
    'backoff-elapsed': IMPOSSIBLE,
    // Only after a health kill: the process did not die of its stop signal.
    // After a health kill or a start timeout: the process did not die of its stop signal.
    'stop-timeout': (ctx) =>
      ctx.killCause === null
        ? {
            next: 'starting',
            effects: [{ type: 'kill-group', signal: 'SIGKILL' }],
            reason: `still alive ${ctx.stopTimeoutMs} ms after ${ctx.stopSignal}; sending SIGKILL`,
          }
        : killAfterDeadline(ctx, 'starting'),
    adopt: IMPOSSIBLE,
    // Not ready in time: stopped like any stop (its stop signal, SIGKILL at the stop timeout); the
    // exit that follows is a failed start.
    'start-timeout': (ctx) => ({
      next: 'starting',
      effects: [
        { type: 'kill-group', signal: ctx.stopSignal },
        { type: 'arm-timer', timer: 'stop-deadline', ms: ctx.stopTimeoutMs },
      ],
      reason: `not ready within ${ctx.startTimeoutMs} ms; sent ${ctx.stopSignal}, SIGKILL after ${ctx.stopTimeoutMs} ms`,
    }),
    'watchdog-ping': stay('starting'),
    'watchdog-timeout': IMPOSSIBLE,
    'extend-timeout': extendStart,
    'resume-backoff': IMPOSSIBLE,
    'checks-passed': arriveReady('checks', becomeReady),
    'health-failed': healthFailed('starting'),
    reload: stay('starting'),
    'next-ready': stay('starting'),
    'next-exit': stay('starting'),
    'next-timeout': stay('starting'),
    'next-failed': stay('starting'),
    'main-pid': followMainPid('starting'),
  },
  running: {
    start: stay('running'),
    stop: (ctx) => beginStop(ctx, 'stopped'),
    restart: (ctx) => beginStop(ctx, 'running'),
    ready: stay('running'),
    exit: (ctx, event) => decideAfterExit(ctx, exitOf(event), false),
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': IMPOSSIBLE,
    // Only after a watchdog SIGABRT or a health kill: the program did not die of it.
    'stop-timeout': (ctx) => killAfterDeadline(ctx, 'running'),
    adopt: IMPOSSIBLE,
    'start-timeout': IMPOSSIBLE,
    'watchdog-ping': watchdogPing,
    'watchdog-timeout': watchdogExpired,
    'extend-timeout': stay('running'),
    'resume-backoff': IMPOSSIBLE,
    'checks-passed': stay('running'),
    'health-failed': healthFailed('running'),
    reload: beginReload,
    'next-ready': stay('running'),
    'next-exit': stay('running'),
    'next-timeout': stay('running'),
    'next-failed': stay('running'),
    'main-pid': followMainPid('running'),
  },
  backoff: {
    start: startFresh,
    stop: { next: 'stopped', effects: [{ type: 'cancel-timers' }], desired: 'stopped' },
    restart: startFresh,
    ready: stay('backoff'),
    exit: IMPOSSIBLE,
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': (ctx) => spawnNow(ctx, true),
    'stop-timeout': IMPOSSIBLE,
    adopt: IMPOSSIBLE,
    'start-timeout': IMPOSSIBLE,
    'watchdog-ping': stay('backoff'),
    'watchdog-timeout': IMPOSSIBLE,
    'extend-timeout': IMPOSSIBLE,
    'resume-backoff': resumeBackoff,
    'checks-passed': stay('backoff'),
    'health-failed': stay('backoff'),
    reload: IMPOSSIBLE,
    'next-ready': stay('backoff'),
    'next-exit': stay('backoff'),
    'next-timeout': stay('backoff'),
    'next-failed': stay('backoff'),
    'main-pid': stay('backoff'),
  },
  stopping: {
    start: { next: 'stopping', effects: [], desired: 'running' },
    stop: { next: 'stopping', effects: [], desired: 'stopped' },
    restart: { next: 'stopping', effects: [], desired: 'running' },
    ready: stay('stopping'),
    exit: (ctx, event) => {
      const reason = describeExit(exitOf(event));
      const reap = { type: 'reap-group', signal: 'SIGKILL' } as const;
      if (ctx.desired === 'running') {
        const restart = startFresh(ctx);
        return { ...restart, effects: [reap, ...restart.effects], reason };
      }
      return { next: 'stopped', effects: [{ type: 'cancel-timers' }, reap], reason };
    },
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': IMPOSSIBLE,
    'stop-timeout': {
      next: 'stopping',
      effects: [{ type: 'kill-group', signal: 'SIGKILL' }],
      reason: 'stop deadline passed; sending SIGKILL',
    },
    adopt: IMPOSSIBLE,
    'start-timeout': IMPOSSIBLE,
    'watchdog-ping': stay('stopping'),
    'watchdog-timeout': IMPOSSIBLE,
    'extend-timeout': stay('stopping'),
    'resume-backoff': IMPOSSIBLE,
    'checks-passed': stay('stopping'),
    'health-failed': stay('stopping'),
    reload: stay('stopping'),
    'next-ready': stay('stopping'),
    'next-exit': stay('stopping'),
    'next-timeout': stay('stopping'),
    'next-failed': stay('stopping'),
    'main-pid': stay('stopping'),
  },
  exited: {
    start: startFresh,
    stop: { next: 'stopped', effects: [], desired: 'stopped' },
    restart: startFresh,
    ready: stay('exited'),
    exit: IMPOSSIBLE,
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': IMPOSSIBLE,
    'stop-timeout': IMPOSSIBLE,
    adopt: IMPOSSIBLE,
    'start-timeout': IMPOSSIBLE,
    'watchdog-ping': stay('exited'),
    'watchdog-timeout': IMPOSSIBLE,
    'extend-timeout': IMPOSSIBLE,
    'resume-backoff': IMPOSSIBLE,
    'checks-passed': stay('exited'),
    'health-failed': stay('exited'),
    reload: IMPOSSIBLE,
    'next-ready': stay('exited'),
    'next-exit': stay('exited'),
    'next-timeout': stay('exited'),
    'next-failed': stay('exited'),
    'main-pid': stay('exited'),
  },
  fatal: {
    start: startFresh,
    stop: { next: 'stopped', effects: [], desired: 'stopped' },
    restart: startFresh,
    ready: stay('fatal'),
    exit: IMPOSSIBLE,
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': IMPOSSIBLE,
    'stop-timeout': IMPOSSIBLE,
    adopt: IMPOSSIBLE,
    'start-timeout': IMPOSSIBLE,
    'watchdog-ping': stay('fatal'),
    'watchdog-timeout': IMPOSSIBLE,
    'extend-timeout': IMPOSSIBLE,
    'resume-backoff': IMPOSSIBLE,
    'checks-passed': stay('fatal'),
    'health-failed': stay('fatal'),
    reload: IMPOSSIBLE,
    'next-ready': stay('fatal'),
    'next-exit': stay('fatal'),
    'next-timeout': stay('fatal'),
    'next-failed': stay('fatal'),
    'main-pid': stay('fatal'),
  },
  // A reload under way (docs/reload.md): the old process serves; with ctx.next a new one is starting.
  reloading: {
    start: stay('reloading'),
    stop: stopDuringReload((ctx) => beginStop(ctx, 'stopped')),
    restart: stopDuringReload((ctx) => beginStop(ctx, 'running')),
    ready: selfReloaded,
    // The old process died meanwhile: its exit is handled as any other, and the reload is given up.
    exit: (ctx, event) => {
      const after = decideAfterExit(ctx, exitOf(event), false);
      if (ctx.next === null) return after;
      return {
        ...after,
        effects: [{ type: 'retire-next' }, ...after.effects],
        reason: `${after.reason}; reload given up`,
      };
    },
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': IMPOSSIBLE,
    'stop-timeout': (ctx) => killAfterDeadline(ctx, 'reloading'),
    adopt: IMPOSSIBLE,
    'start-timeout': IMPOSSIBLE,
    'watchdog-ping': (ctx) =>
      ctx.watchdogMs === null
        ? stay('reloading')
        : { next: 'reloading', effects: [{ type: 'arm-timer', timer: 'watchdog', ms: ctx.watchdogMs }] },
    'watchdog-timeout': (ctx) => ({ ...watchdogExpired(ctx), next: 'reloading' }),
    'extend-timeout': stay('reloading'),
    'resume-backoff': IMPOSSIBLE,
    'checks-passed': stay('reloading'),
    'health-failed': healthFailed('reloading'),
    reload: stay('reloading'),
    'next-ready': nextReady,
    'next-exit': reloadFailed((_ctx, event) =>
      event.type === 'next-exit'
        ? `the new process ${describeExit(event.exit)} before it was ready`
        : 'the new process ended',
    ),
    'next-timeout': reloadFailed((ctx) => `the new process was not ready within ${ctx.startTimeoutMs} ms`),
    'next-failed': reloadFailed((_ctx, event) =>
      event.type === 'next-failed'
        ? `the new process failed a check: ${event.reason}`
        : 'the new process failed',
    ),
    'main-pid': followMainPid('reloading'),
  },
};

/** Pure: the transition for (state, event), or `IMPOSSIBLE`. */
export function transition(
  state: State,
  event: MachineEvent,
  ctx: MachineContext,
): Transition | typeof IMPOSSIBLE {
  const cell = TABLE[state][event.type];
  if (cell === IMPOSSIBLE) return IMPOSSIBLE;
  return typeof cell === 'function' ? cell(ctx, event) : cell;
}
