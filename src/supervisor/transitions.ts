import { getBackoffDelayMs, getRecentFailures, isQuickExit } from './backoff.js';
import type { EventType, ExitInfo, MachineContext, MachineEvent, State, Transition } from './states.js';

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
      { type: 'arm-timer', timer: 'ready', ms: ctx.startSecsMs },
    ],
  };
}

function startFresh(ctx: MachineContext): Transition {
  return {
    ...spawnNow(ctx, false),
    effects: [{ type: 'set-failures', consecutive: 0, recent: [] }, ...spawnNow(ctx, false).effects],
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
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.code === null) return 'exited with an unknown status (it was not a child of this daemon)';
  return `exited with code ${exit.code}`;
}

function isSuccess(ctx: MachineContext, exit: ExitInfo): boolean {
  return exit.signal === null && exit.code !== null && ctx.successExitCodes.includes(exit.code);
}

/** The heart of the policy: an unexpected exit becomes a restart now, a backoff, `exited` or `fatal`. */
export function decideAfterExit(ctx: MachineContext, exit: ExitInfo, wasStarting: boolean): Transition {
  const what = describeExit(exit);
  const wantsRestart = ctx.restart === 'always' || (ctx.restart === 'on-failure' && !isSuccess(ctx, exit));
  const reap = { type: 'reap-group', signal: ctx.stopSignal } as const;
  if (!wantsRestart) {
    return { next: 'exited', effects: [{ type: 'cancel-timers' }, reap], reason: what };
  }
  if (!isQuickExit(ctx, exit.uptimeMs, wasStarting)) {
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
  const consecutive = ctx.consecutiveFailures + 1;
  const recent = ctx.giveUp ? getRecentFailures(ctx) : [];
  const failures = { type: 'set-failures', consecutive, recent } as const;
  if (ctx.giveUp && recent.length >= ctx.giveUp.failures) {
    return {
      next: 'fatal',
      effects: [{ type: 'cancel-timers' }, reap, failures],
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

function exitOf(event: MachineEvent): ExitInfo {
  if (event.type !== 'exit') throw new Error(`expected an exit event, got ${event.type}`);
  return event.exit;
}

const TABLE: Record<State, Record<EventType, Cell>> = {
  stopped: {
    start: startFresh,
    stop: stay('stopped'),
    restart: startFresh,
    ready: IMPOSSIBLE,
    exit: IMPOSSIBLE,
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': IMPOSSIBLE,
    'stop-timeout': IMPOSSIBLE,
    adopt: { next: 'running', effects: [], reason: 'adopted by a new daemon' },
  },
  starting: {
    start: stay('starting'),
    stop: (ctx) => beginStop(ctx, 'stopped'),
    restart: (ctx) => beginStop(ctx, 'running'),
    ready: { next: 'running', effects: [] },
    exit: (ctx, event) => decideAfterExit(ctx, exitOf(event), true),
    'spawn-failed': (_ctx, event) => ({
      next: 'fatal',
      effects: [{ type: 'cancel-timers' }],
      reason: event.type === 'spawn-failed' ? event.reason : 'spawn failed',
    }),
    'backoff-elapsed': IMPOSSIBLE,
    'stop-timeout': IMPOSSIBLE,
    adopt: IMPOSSIBLE,
  },
  running: {
    start: stay('running'),
    stop: (ctx) => beginStop(ctx, 'stopped'),
    restart: (ctx) => beginStop(ctx, 'running'),
    ready: IMPOSSIBLE,
    exit: (ctx, event) => decideAfterExit(ctx, exitOf(event), false),
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': IMPOSSIBLE,
    'stop-timeout': IMPOSSIBLE,
    adopt: IMPOSSIBLE,
  },
  backoff: {
    start: startFresh,
    stop: { next: 'stopped', effects: [{ type: 'cancel-timers' }], desired: 'stopped' },
    restart: startFresh,
    ready: IMPOSSIBLE,
    exit: IMPOSSIBLE,
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': (ctx) => spawnNow(ctx, true),
    'stop-timeout': IMPOSSIBLE,
    adopt: IMPOSSIBLE,
  },
  stopping: {
    start: { next: 'stopping', effects: [], desired: 'running' },
    stop: { next: 'stopping', effects: [], desired: 'stopped' },
    restart: { next: 'stopping', effects: [], desired: 'running' },
    ready: IMPOSSIBLE,
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
  },
  exited: {
    start: startFresh,
    stop: { next: 'stopped', effects: [], desired: 'stopped' },
    restart: startFresh,
    ready: IMPOSSIBLE,
    exit: IMPOSSIBLE,
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': IMPOSSIBLE,
    'stop-timeout': IMPOSSIBLE,
    adopt: IMPOSSIBLE,
  },
  fatal: {
    start: startFresh,
    stop: { next: 'stopped', effects: [], desired: 'stopped' },
    restart: startFresh,
    ready: IMPOSSIBLE,
    exit: IMPOSSIBLE,
    'spawn-failed': IMPOSSIBLE,
    'backoff-elapsed': IMPOSSIBLE,
    'stop-timeout': IMPOSSIBLE,
    adopt: IMPOSSIBLE,
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
