import type { State } from '../program-record.js';
import type { MachineContext, MachineEvent, Transition } from './states.js';

// The cells of the table that health checks add (docs/health.md): readiness in two halves (the
// program says it is ready, its checks pass) and a failed alive check, which stops the process with
// its stop signal so that its exit follows the restart policy, recorded with a `health:` reason.

/** Ready once both halves that the program needs have arrived; else this half is noted. */
export function arriveReady(
  part: 'said' | 'checks',
  become: (ctx: MachineContext) => Transition,
): (ctx: MachineContext) => Transition {
  return (ctx) => {
    // A process being killed for its checks is not ready, whatever it says.
    if (ctx.killCause !== null) return { next: 'starting', effects: [] };
    const needsSaid = ctx.readiness !== 'startSecs' || !ctx.readyChecks;
    const needsChecks = ctx.readyChecks;
    if (part === 'checks' && !needsChecks) return { next: 'starting', effects: [] };
    const said = part === 'said' || ctx.readySoFar.said;
    const checks = part === 'checks' || ctx.readySoFar.checks;
    if ((!needsSaid || said) && (!needsChecks || checks)) return become(ctx);
    return { next: 'starting', effects: [{ type: 'note-ready', part }] };
  };
}

/** An alive check failed: the process gets its stop signal, SIGKILL at the stop timeout (its other timers go). */
export function healthFailed(state: State): (ctx: MachineContext, event: MachineEvent) => Transition {
  return (ctx, event) => {
    const cause = event.type === 'health-failed' ? event.reason : 'a check failed';
    return {
      next: state,
      effects: [
        { type: 'cancel-timers' },
        { type: 'note-kill-cause', cause },
        { type: 'kill-group', signal: ctx.stopSignal },
        { type: 'arm-timer', timer: 'stop-deadline', ms: ctx.stopTimeoutMs },
      ],
      reason: `health: ${cause}; sent ${ctx.stopSignal}`,
    };
  };
}

/** The stop deadline after a health or watchdog kill: the process is still there. */
export function killAfterDeadline(ctx: MachineContext, state: State): Transition {
  return {
    next: state,
    effects: [{ type: 'kill-group', signal: 'SIGKILL' }],
    reason: `still alive after ${ctx.killCause === null ? 'SIGABRT' : ctx.stopSignal}; sending SIGKILL`,
  };
}
