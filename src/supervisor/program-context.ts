import type { ProgramSpec } from '../config/program-schema.js';
import { hasReadinessChecks } from '../health/program-health.js';
import type { Desired } from '../program-record.js';
import type { MachineContext } from './states.js';

// What the table is told about a program: its spec's policy in the table's units, plus its history.

export interface ProgramHistory {
  readonly desired: Desired;
  readonly consecutiveFailures: number;
  readonly recentFailures: readonly number[];
  /** WATCHDOG_USEC= from the program itself, which overrides the spec's watchdog. */
  readonly watchdogOverrideMs: number | null;
  /** Of the current process: which halves of readiness have arrived, and why tend is killing it. */
  readonly readySoFar: { readonly said: boolean; readonly checks: boolean };
  readonly killCause: string | null;
  /** During a replacing reload, the new process's readiness so far. */
  readonly next: { readonly said: boolean; readonly checks: boolean } | null;
}

export function getMachineContext(spec: ProgramSpec, history: ProgramHistory, now: number): MachineContext {
  return {
    // onExit: ignore means no restart, whatever the restart policy says.
    restart: spec.onExit === 'ignore' ? 'never' : spec.restart,
    successExitCodes: spec.successExitCodes,
    ...getRestartTimings(spec),
    startSecsMs: spec.startSecs,
    readiness: spec.ready,
    readyChecks: hasReadinessChecks(spec.checks),
    readySoFar: history.readySoFar,
    killCause: history.killCause,
    reloadSignal: spec.reloadSignal,
    next: history.next,
    startTimeoutMs: spec.startTimeout,
    watchdogMs: spec.ready === 'notify' ? (history.watchdogOverrideMs ?? spec.watchdog) : null,
    stopSignal: spec.stopSignal,
    stopTimeoutMs: spec.stopTimeout,
    desired: history.desired,
    consecutiveFailures: history.consecutiveFailures,
    recentFailures: history.recentFailures,
    now,
  };
}

/** The spec's restart delay, backoff and give-up in the table's units (also shown by `tend show`). */
export function getRestartTimings(
  spec: ProgramSpec,
): Pick<MachineContext, 'restartDelayMs' | 'backoff' | 'giveUp'> {
  return {
    restartDelayMs: spec.restartDelay,
    backoff: {
      initialMs: spec.backoff.initial,
      multiplier: spec.backoff.multiplier,
      maxMs: spec.backoff.max,
      resetAfterMs: spec.backoff.resetAfter,
    },
    giveUp: spec.giveUp ? { failures: spec.giveUp.failures, withinMs: spec.giveUp.within } : null,
  };
}
