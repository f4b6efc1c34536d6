import type { TwiceViolation } from './monitor.js';
import type { LineCheck } from './numbered-lines.js';
import type { SoakBounds } from './options.js';
import type { ProcessSample } from './proc.js';

// What a soak found, and the summary it prints. `failures` empty means it passed.

export interface CrashLooperResult {
  readonly name: string;
  readonly restarts: number;
  readonly maxAllowed: number;
  readonly minExpected: number;
}

export interface DaemonUsage {
  readonly pid: number;
  readonly start: ProcessSample;
  readonly end: ProcessSample;
  readonly maxFds: number;
  readonly maxRssBytes: number;
  readonly maxPssBytes: number | null;
}

export interface SoakReport {
  readonly home: string;
  readonly bounds: SoakBounds;
  crashLoop?: {
    readonly ms: number;
    readonly loopers: CrashLooperResult[];
    readonly daemonCpuPercent: number;
    readonly healthy: number;
  };
  programKills?: {
    readonly ms: number;
    readonly kills: number;
    readonly daemonCpuPercent: number;
  };
  daemonKills?: {
    readonly ms: number;
    readonly kills: number;
    readonly readoptions: number;
    readonly programKills: number;
    readonly programKillsWhileDown: number;
  };
  /** Sleeper kills over phases 2 and 3, and the sum of their restart counts at the end. */
  totalKills?: number;
  totalRestarts?: number;
  /** How often the crash loopers were started over the whole soak, against what their backoff allows. */
  crashStarts?: { readonly starts: number; readonly maxAllowed: number };
  lines: LineCheck[];
  daemon?: DaemonUsage;
  daemonsSeen: number;
  twiceChecks: number;
  violations: TwiceViolation[];
  readonly failures: string[];
}

const MB = 1024 * 1024;

function mb(bytes: number | null): string {
  return bytes === null ? 'n/a' : `${(bytes / MB).toFixed(1)} MB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatSummary(report: SoakReport): string {
  const out: string[] = [`tend soak summary (home ${report.home})`];
  const { crashLoop, programKills, daemonKills, daemon, bounds } = report;
  if (crashLoop) {
    const restarts = crashLoop.loopers.map((looper) => looper.restarts).join(', ');
    const allowed = crashLoop.loopers[0];
    out.push(
      `  phase 1, crash loops (${seconds(crashLoop.ms)}): ${crashLoop.loopers.length} loopers restarted ${restarts} times` +
        (allowed ? ` (backoff allows ${allowed.minExpected}–${allowed.maxAllowed})` : ''),
      `    daemon CPU ${crashLoop.daemonCpuPercent.toFixed(2)} % (bound ${bounds.crashLoopCpuPercent} %), ` +
        `${crashLoop.healthy} healthy programs beside them`,
    );
  }
  if (programKills) {
    out.push(
      `  phase 2, program kills (${seconds(programKills.ms)}): ${programKills.kills} SIGKILLs ` +
        `(${((programKills.kills * 1000) / programKills.ms).toFixed(1)}/s), daemon CPU ${programKills.daemonCpuPercent.toFixed(1)} %`,
    );
  }
  if (daemonKills) {
    out.push(
      `  phase 3, daemon kills (${seconds(daemonKills.ms)}): ${daemonKills.kills} daemon SIGKILLs, ` +
        `${daemonKills.readoptions} re-adoptions with the same pids, ${daemonKills.programKills} more program SIGKILLs ` +
        `(${daemonKills.programKillsWhileDown} while no daemon ran)`,
    );
  }
  if (report.crashStarts) {
    const { starts, maxAllowed } = report.crashStarts;
    out.push(
      `    crash loopers started ${starts} times over the soak, daemon kills included (backoff allows ${maxAllowed})`,
    );
  }
  if (report.totalKills !== undefined) {
    out.push(`  kills ${report.totalKills}, restarts ${report.totalRestarts ?? 'n/a'}`);
  }
  const sum = (pick: (check: LineCheck) => number) => report.lines.reduce((total, c) => total + pick(c), 0);
  out.push(
    `  lines checked ${sum((c) => c.checked)} in ${sum((c) => c.files)} files: lost ${sum((c) => c.lost)}, ` +
      `duplicated ${sum((c) => c.duplicated)}, out of order ${sum((c) => c.outOfOrder)}, garbled ${sum((c) => c.garbled)}`,
  );
  if (daemon) {
    const { start, end } = daemon;
    out.push(
      `  daemon pid ${daemon.pid} (phases 1–2): fds ${start.fds} → ${end.fds}, max ${daemon.maxFds} (bound +${bounds.fdGrowth})`,
      `    RSS ${mb(start.rssBytes)} → ${mb(end.rssBytes)}, max ${mb(daemon.maxRssBytes)} (bound +${mb(bounds.rssGrowthBytes)}); ` +
        `PSS ${mb(start.pssBytes)} → ${mb(end.pssBytes)}, max ${mb(daemon.maxPssBytes)}`,
    );
  }
  out.push(
    `  daemons seen ${report.daemonsSeen}; never twice: ${report.violations.length} programs seen running twice in ${report.twiceChecks} scans`,
  );
  out.push(report.failures.length === 0 ? 'PASS' : `FAIL (${report.failures.length}):`);
  for (const failure of report.failures) out.push(`  - ${failure}`);
  return out.join('\n');
}
