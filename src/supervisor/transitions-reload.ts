import type { MachineContext, MachineEvent, Transition } from './states.js';

// The cells of the table that `tend reload` adds (docs/reload.md). A program with a reloadSignal
// gets the signal and keeps its process (with notify it is `reloading` until READY=1, like systemd's
// Type=notify-reload). Any other program is replaced: a new process starts beside the running one
// (the held sockets are the same), and only once it is ready does the old one get its stop signal.
// If the new one fails, it is stopped and the old one goes on as if nothing happened.

/** running + reload. */
export function beginReload(ctx: MachineContext): Transition {
  if (ctx.reloadSignal !== null) {
    const signal = { type: 'signal-main', signal: ctx.reloadSignal } as const;
    if (ctx.readiness !== 'notify')
      return { next: 'running', effects: [signal], reason: `reload: sent ${ctx.reloadSignal}` };
    return {
      next: 'reloading',
      effects: [signal, { type: 'arm-timer', timer: 'next-deadline', ms: ctx.startTimeoutMs }],
      reason: `reload: sent ${ctx.reloadSignal}; waiting for READY=1`,
    };
  }
  const waitsForSignal = ctx.readiness !== 'startSecs' || ctx.readyChecks;
  return {
    next: 'reloading',
    effects: [
      { type: 'spawn-next' },
      waitsForSignal
        ? { type: 'arm-timer', timer: 'next-deadline', ms: ctx.startTimeoutMs }
        : { type: 'arm-timer', timer: 'next-ready', ms: ctx.startSecsMs },
    ],
    reason: 'reload: starting a new process beside the running one',
  };
}

/** reloading + next-ready: the new process takes over once both halves of its readiness are in. */
export function nextReady(ctx: MachineContext, event: MachineEvent): Transition {
  // A self-reloading program has no new process: its READY=1 arrives as `ready`.
  if (ctx.next === null) return { next: 'reloading', effects: [] };
  const part = event.type === 'next-ready' && event.part === 'checks' ? 'checks' : 'said';
  const needsSaid = ctx.readiness !== 'startSecs' || !ctx.readyChecks;
  const said = part === 'said' || ctx.next.said;
  const checks = part === 'checks' || ctx.next.checks;
  if ((needsSaid && !said) || (ctx.readyChecks && !checks)) {
    return { next: 'reloading', effects: [{ type: 'note-next-ready', part }] };
  }
  const watchdog =
    ctx.watchdogMs === null ? [] : [{ type: 'arm-timer', timer: 'watchdog', ms: ctx.watchdogMs } as const];
  return {
    next: 'running',
    effects: [{ type: 'cancel-timers' }, { type: 'promote-next' }, ...watchdog],
    reason: 'reloaded: the new process is ready; the old one was sent its stop signal',
  };
}

/** The new process failed: it goes, the old one stays. */
export function reloadFailed(why: (ctx: MachineContext, event: MachineEvent) => string) {
  return (ctx: MachineContext, event: MachineEvent): Transition => {
    if (ctx.next === null) {
      // reloadSignal with notify: no READY=1 in time. The process is kept; the reload failed.
      return {
        next: 'running',
        effects: [],
        reason: `reload failed: no READY=1 within ${ctx.startTimeoutMs} ms after ${ctx.reloadSignal}`,
      };
    }
    return {
      next: 'running',
      effects: [
        { type: 'cancel-timer', timer: 'next-ready' },
        { type: 'cancel-timer', timer: 'next-deadline' },
        { type: 'retire-next' },
      ],
      reason: `reload failed: ${why(ctx, event)}; the old process still runs`,
    };
  };
}

/** reloading + ready: a self-reloading program's READY=1 ends its reload. */
export function selfReloaded(ctx: MachineContext): Transition {
  if (ctx.next !== null) return { next: 'reloading', effects: [] };
  return {
    next: 'running',
    effects: [{ type: 'cancel-timer', timer: 'next-deadline' }],
    reason: 'reloaded: READY=1 after the reload signal',
  };
}

/** A stop (or restart) during a reload: the new process goes too. */
export function stopDuringReload(
  begin: (ctx: MachineContext) => Transition,
): (ctx: MachineContext) => Transition {
  return (ctx) => {
    const stop = begin(ctx);
    return ctx.next === null ? stop : { ...stop, effects: [{ type: 'retire-next' }, ...stop.effects] };
  };
}

/** MAINPID= from a process of the program: that process is the main one from now on. */
export function followMainPid(state: 'starting' | 'running' | 'reloading') {
  return (_ctx: MachineContext, event: MachineEvent): Transition => {
    if (event.type !== 'main-pid') return { next: state, effects: [] };
    return {
      next: state,
      effects: [{ type: 'follow-pid', pid: event.pid }],
      reason: `main process is now pid ${event.pid} (${event.source})`,
    };
  };
}
