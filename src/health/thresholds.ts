// Thresholds as a pure step: a check is `unknown` until it has been judged, `healthy` after
// successThreshold successes in a row, `unhealthy` after failureThreshold failures in a row.

export type CheckStatus = 'unknown' | 'healthy' | 'unhealthy';

export interface ThresholdState {
  readonly status: CheckStatus;
  readonly successes: number;
  readonly failures: number;
}

export const INITIAL_THRESHOLD_STATE: ThresholdState = { status: 'unknown', successes: 0, failures: 0 };

export function recordOutcome(
  state: ThresholdState,
  ok: boolean,
  thresholds: { readonly successThreshold: number; readonly failureThreshold: number },
): ThresholdState {
  if (ok) {
    const successes = state.successes + 1;
    const status = successes >= thresholds.successThreshold ? 'healthy' : state.status;
    return { status, successes, failures: 0 };
  }
  const failures = state.failures + 1;
  const status = failures >= thresholds.failureThreshold ? 'unhealthy' : state.status;
  return { status, successes: 0, failures };
}
