import type { LogFaultView } from '../logs/program-logs.js';
import type { ProgramSnapshot } from '../supervisor/program-types.js';

// The JSON shapes of the API (documented in docs/api.md). Environment values are masked unless asked for.

export interface ProgramStatusView {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  exitCode: number | null;
  signal: string | null;
  startedAt: string | null;
  uptimeMs: number | null;
  reason: string | null;
  command: string[] | string;
  adopted: boolean;
  /** The last STATUS= the program sent over sd_notify. */
  status: string | null;
}

export interface ProgramDetailView extends ProgramStatusView {
  desired: string;
  cwd: string;
  env: Record<string, string>;
  restart: string;
  successExitCodes: number[];
  restartDelayMs: number;
  backoff: { initialMs: number; multiplier: number; maxMs: number; resetAfterMs: number };
  giveUp: { failures: number; withinMs: number } | null;
  startSecsMs: number;
  stopSignal: string;
  stopTimeoutMs: number;
  consecutiveFailures: number;
  logs: { out: string; err: string; faults: LogFaultView[] };
}

const MASK = '********';

export function toStatusView(snapshot: ProgramSnapshot, now: number): ProgramStatusView {
  const startedAt = snapshot.runtime.pid !== null ? snapshot.runtime.startedAt : null;
  return {
    name: snapshot.spec.name,
    state: snapshot.state,
    pid: snapshot.runtime.pid,
    restarts: snapshot.restarts,
    exitCode: snapshot.exitCode,
    signal: snapshot.exitSignal,
    startedAt: startedAt === null ? null : new Date(startedAt).toISOString(),
    uptimeMs: startedAt === null ? null : Math.max(0, now - startedAt),
    reason: snapshot.reason,
    command: snapshot.spec.command,
    adopted: snapshot.adopted,
    status: snapshot.statusText,
  };
}

export function toDetailView(
  snapshot: ProgramSnapshot,
  now: number,
  logs: { out: string; err: string; faults: LogFaultView[] },
  showEnv: boolean,
): ProgramDetailView {
  const spec = snapshot.spec;
  const env = Object.fromEntries(
    Object.entries(spec.env).map(([key, value]) => [key, showEnv ? value : MASK]),
  );
  return {
    ...toStatusView(snapshot, now),
    desired: snapshot.desired,
    cwd: spec.cwd,
    env,
    restart: spec.restart,
    successExitCodes: spec.successExitCodes,
    restartDelayMs: spec.restartDelay,
    backoff: {
      initialMs: spec.backoff.initial,
      multiplier: spec.backoff.multiplier,
      maxMs: spec.backoff.max,
      resetAfterMs: spec.backoff.resetAfter,
    },
    giveUp: spec.giveUp ? { failures: spec.giveUp.failures, withinMs: spec.giveUp.within } : null,
    startSecsMs: spec.startSecs,
    stopSignal: spec.stopSignal,
    stopTimeoutMs: spec.stopTimeout,
    consecutiveFailures: snapshot.consecutiveFailures,
    logs,
  };
}
