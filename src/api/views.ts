import { getCheckKind } from '../config/check-schema.js';
import type { CheckView as CheckState, HealthSummary } from '../health/program-health.js';
import type { LogFaultView } from '../logs/program-logs.js';
import type { ProgramSnapshot } from '../program-record.js';
import { getRestartTimings } from '../supervisor/program-context.js';

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
  /** What its checks say (docs/health.md); `none` without checks. */
  health: HealthSummary;
  /** What the user asked for: `running` programs start again with the next daemon. */
  desired: string;
  /** Failed starts in a row (a crash loop's count; 0 once it runs long enough). */
  consecutiveFailures: number;
}

/** One check of a program, with its last result. */
export interface CheckView {
  name: string;
  kind: string;
  level: string;
  status: string;
  consecutiveFailures: number;
  last: { ok: boolean; message: string; output: string; at: string; durationMs: number } | null;
}

export interface ProgramDetailView extends ProgramStatusView {
  cwd: string;
  env: Record<string, string>;
  restart: string;
  onExit: string;
  successExitCodes: number[];
  restartDelayMs: number;
  backoff: { initialMs: number; multiplier: number; maxMs: number; resetAfterMs: number };
  giveUp: { failures: number; withinMs: number } | null;
  startSecsMs: number;
  ready: string;
  readyFd: number;
  startTimeoutMs: number;
  watchdogMs: number | null;
  stopSignal: string;
  stopTimeoutMs: number;
  reloadSignal: string | null;
  pidFile: string | null;
  /** `socket`: started by the first connection on its sockets; idleStopMs: stopped again when quiet. */
  activation: string;
  idleStopMs: number | null;
  user: string | null;
  group: string | null;
  umask: string | null;
  autostart: boolean;
  dependsOn: string[];
  source: string | null;
  instanceOf: string | null;
  instance: number | null;
  offsetEnv: string[];
  checks: CheckView[];
  /** The listening sockets the daemon holds for it, passed from fd 3 (docs/reload.md). */
  sockets: { name: string; address: string }[];
  logs: LogsView;
  limits: { memoryBytes: number | null; cpus: number | null; pids: number | null };
  /**
   * How its processes are tracked (a cgroup per program, or its process group plus a /proc sweep),
   * and which cgroup carries each of its limits (cgroup v2, or cgroup v1 on a hybrid host).
   */
  tracking: {
    mode: 'cgroup' | 'process-group';
    cgroup: string | null;
    limits: Partial<Record<'memory' | 'cpu' | 'pids', { version: 1 | 2; cgroup: string }>>;
    note: string | null;
  } | null;
}

export interface LogsView {
  out: string;
  err: string;
  merge: boolean;
  timestamps: boolean;
  format: string;
  maxSizeBytes: number;
  keep: number;
  compress: boolean;
  rotateDaily: boolean;
  faults: LogFaultView[];
}

const MASK = '********';

export function toStatusView(snapshot: ProgramSnapshot, now: number): ProgramStatusView {
  const startedAt = snapshot.runtime.pid !== null ? snapshot.runtime.startedAt : null;
  return {
    name: snapshot.spec.name,
    state: snapshot.listening ? 'listening' : snapshot.state,
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
    health: snapshot.health?.summary ?? (snapshot.spec.checks.length > 0 ? 'checking' : 'none'),
    desired: snapshot.desired,
    consecutiveFailures: snapshot.consecutiveFailures,
  };
}

function toCheckView(check: CheckState): CheckView {
  const last = check.last && { ...check.last, at: new Date(check.last.at).toISOString() };
  return { ...check, last };
}

export function toDetailView(
  snapshot: ProgramSnapshot,
  now: number,
  logs: { out: string; err: string; faults: LogFaultView[] },
  showEnv: boolean,
  sockets: readonly { name: string; address: string }[] = [],
): ProgramDetailView {
  const spec = snapshot.spec;
  const env = Object.fromEntries(
    Object.entries(spec.env).map(([key, value]) => [key, showEnv ? value : MASK]),
  );
  return {
    ...toStatusView(snapshot, now),
    cwd: spec.cwd,
    env,
    restart: spec.restart,
    onExit: spec.onExit,
    successExitCodes: spec.successExitCodes,
    ...getRestartTimings(spec),
    startSecsMs: spec.startSecs,
    ready: spec.ready,
    readyFd: spec.readyFd,
    startTimeoutMs: spec.startTimeout,
    watchdogMs: spec.watchdog,
    stopSignal: spec.stopSignal,
    stopTimeoutMs: spec.stopTimeout,
    reloadSignal: spec.reloadSignal,
    pidFile: spec.pidFile,
    activation: spec.activation,
    idleStopMs: spec.idleStop,
    user: spec.user,
    group: spec.group,
    umask: spec.umask,
    autostart: spec.autostart,
    dependsOn: spec.dependsOn,
    source: spec.source,
    instanceOf: spec.instanceOf,
    instance: spec.instance,
    offsetEnv: spec.offsetEnv,
    // Without a process the checks are listed as configured, not judged.
    checks:
      snapshot.health?.checks.map(toCheckView) ??
      spec.checks.map((check) => ({
        name: check.name,
        kind: getCheckKind(check),
        level: check.level,
        status: 'unknown',
        consecutiveFailures: 0,
        last: null,
      })),
    sockets: sockets.map(({ name, address }) => ({ name, address })),
    logs: {
      out: logs.out,
      err: logs.err,
      merge: spec.logs.merge,
      timestamps: spec.logs.timestamps,
      format: spec.logs.format,
      maxSizeBytes: spec.logs.maxSize,
      keep: spec.logs.keep,
      compress: spec.logs.compress,
      rotateDaily: spec.logs.rotateDaily,
      faults: logs.faults,
    },
    limits: {
      memoryBytes: spec.limits?.memory ?? null,
      cpus: spec.limits?.cpu ?? null,
      pids: spec.limits?.pids ?? null,
    },
    tracking: snapshot.tracking ?? null,
  };
}
