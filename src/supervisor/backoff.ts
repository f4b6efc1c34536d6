import { MIN_BACKOFF_MS } from '../config/program-schema.js';
import type { MachineContext } from './states.js';

// Exponential backoff for crash loops: the first quick exit waits `initial`, each further one
// multiplies by `multiplier` up to `max`; a run longer than `resetAfter` starts the count over.

export function getBackoffDelayMs(ctx: MachineContext, consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return ctx.restartDelayMs;
  const { initialMs, multiplier, maxMs } = ctx.backoff;
  const exponential = initialMs * multiplier ** (consecutiveFailures - 1);
  // The floor holds for specs saved before it was enforced at input, too.
  return Math.max(ctx.restartDelayMs, MIN_BACKOFF_MS, Math.min(maxMs, Math.round(exponential)));
}

export function isQuickExit(ctx: MachineContext, uptimeMs: number, wasStarting: boolean): boolean {
  return wasStarting || uptimeMs < ctx.backoff.resetAfterMs;
}

/** Failure timestamps still inside the give-up window, plus this one. */
export function getRecentFailures(ctx: MachineContext): number[] {
  const windowMs = ctx.giveUp?.withinMs ?? 0;
  const kept = ctx.recentFailures.filter((time) => ctx.now - time < windowMs);
  kept.push(ctx.now);
  return kept;
}
