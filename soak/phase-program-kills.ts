import { type ProgramRow, waitFor } from '../test/e2e/helpers.js';
import type { SoakContext } from './context.js';
import { delay, getCpuPercent } from './context.js';
import { checkCrashLoopers } from './phase-crash-loop.js';
import { CLOCK_TICKS_PER_SECOND, type ProcessSample } from './proc.js';
import { listPrograms } from './programs.js';
import type { DaemonUsage } from './report.js';

// Phase 2: random SIGKILLs of the sleepers, many per second, with the same daemon as phase 1. At the
// end every killed program runs again, their restart counts add up to the kills, and the daemon
// has as many fds and about as much memory as before phase 1.

const SETTLE_TIMEOUT_MS = 15_000;

export async function runProgramKillPhase(context: SoakContext, daemonPid: number): Promise<void> {
  const { options, monitor, killer, report } = context;
  context.log(
    `phase 2: random SIGKILLs of ${context.names.sleepers.length} programs for ${options.programKillsMs} ms`,
  );
  const start = monitor.sampleDaemons().get(daemonPid);
  const killsBefore = killer.kills;
  killer.start(options.programKillEveryMs);
  await delay(options.programKillsMs);
  await killer.stop();
  const end = monitor.sampleDaemons().get(daemonPid);
  if (!start || !end) throw new Error(`the daemon (pid ${daemonPid}) died during phase 2`);
  const rows = await waitForRestarts(context);
  report.programKills = {
    ms: end.time - start.time,
    kills: killer.kills - killsBefore,
    daemonCpuPercent: getCpuPercent(start, end, CLOCK_TICKS_PER_SECOND),
  };
  checkCrashLoopers(context, rows, Date.now());
  checkRestartCounts(context, rows);
}

/** Waits until every sleeper this soak killed runs again under a new pid; returns the programs. */
export function waitForRestarts(context: SoakContext): Promise<ProgramRow[]> {
  const { killer, names } = context;
  return waitFor(
    async () => {
      const rows = await listPrograms(context.h.socket);
      const settled = names.sleepers.every((name) => {
        const row = rows.find((candidate) => candidate.name === name);
        return row?.pid && row.pid !== killer.killedPids.get(name) && row.state !== 'backoff';
      });
      return settled ? rows : false;
    },
    SETTLE_TIMEOUT_MS,
    'every killed program to run again',
  );
}

/** Every kill that landed is one restart: no more, no fewer. */
export function checkRestartCounts(context: SoakContext, rows: readonly ProgramRow[]): void {
  const restarts = context.names.sleepers.reduce(
    (sum, name) => sum + (rows.find((row) => row.name === name)?.restarts ?? 0),
    0,
  );
  context.report.totalKills = context.killer.kills;
  context.report.totalRestarts = restarts;
  if (restarts !== context.killer.kills) {
    context.fail(`${context.killer.kills} programs were killed but restart counts add up to ${restarts}`);
  }
  for (const [name, pid] of context.steadyPids) {
    const row = rows.find((candidate) => candidate.name === name);
    if (row?.pid !== pid || row.restarts !== 0) {
      context.fail(`${name} should have run undisturbed as pid ${pid}, but is ${JSON.stringify(row)}`);
    }
  }
}

/** fds and memory of the daemon that ran phases 1 and 2, from before phase 1 to now. */
export function checkDaemonGrowth(context: SoakContext, daemonPid: number, baseline: ProcessSample): void {
  const { monitor, options, report } = context;
  const end = monitor.sampleDaemons().get(daemonPid);
  if (!end) throw new Error(`the daemon (pid ${daemonPid}) is gone after phase 2`);
  const series = (monitor.daemons.get(daemonPid) ?? []).filter((sample) => sample.time >= baseline.time);
  const usage: DaemonUsage = {
    pid: daemonPid,
    start: baseline,
    end,
    maxFds: Math.max(...series.map((sample) => sample.fds)),
    maxRssBytes: Math.max(...series.map((sample) => sample.rssBytes)),
    maxPssBytes: series.some((sample) => sample.pssBytes !== null)
      ? Math.max(...series.map((sample) => sample.pssBytes ?? 0))
      : null,
  };
  report.daemon = usage;
  const fdGrowth = end.fds - baseline.fds;
  const rssGrowth = end.rssBytes - baseline.rssBytes;
  if (fdGrowth > options.bounds.fdGrowth) {
    context.fail(
      `the daemon's open fds grew by ${fdGrowth} (${baseline.fds} → ${end.fds}; bound ${options.bounds.fdGrowth})`,
    );
  }
  if (rssGrowth > options.bounds.rssGrowthBytes) {
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    context.fail(
      `the daemon's RSS grew by ${mb(rssGrowth)} MB (${mb(baseline.rssBytes)} → ${mb(end.rssBytes)}; bound ${mb(options.bounds.rssGrowthBytes)} MB)`,
    );
  }
}
