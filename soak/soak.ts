import { type ProgramRow, type TendHome, waitFor } from '../test/e2e/helpers.js';
import { callApiOk } from './api.js';
import type { SoakContext } from './context.js';
import { Monitor } from './monitor.js';
import type { SoakOptions } from './options.js';
import { runCrashLoopPhase } from './phase-crash-loop.js';
import { runDaemonKillPhase } from './phase-daemon-kills.js';
import { checkDaemonGrowth, runProgramKillPhase } from './phase-program-kills.js';
import { ProgramKiller } from './program-killer.js';
import {
  createCrashLooper,
  createHealthy,
  createSleeper,
  getNames,
  listPrograms,
  SLEEPER_RESET_AFTER_MS,
} from './programs.js';
import type { SoakReport } from './report.js';

// A soak run against one TEND_HOME, in three phases one after the other (see soak/README.md):
//   1. crash loops beside healthy programs: backoff holds, the daemon's CPU stays low;
//   2. random SIGKILLs of programs: each restarted once, counts match;
//   3. SIGKILLs of the daemon while writers write numbered lines (and program kills go on):
//      same pids after each, every line logged exactly once, in order.
// Phases 1 and 2 share one daemon, whose fds and memory must not grow; the crash loopers and
// healthy programs run through all three phases, and a monitor checks every 100 ms that no program
// ever runs twice. The caller owns the home and its cleanup.

const STARTUP_TIMEOUT_MS = 20_000;
/** Killed only once past `backoff.resetAfter`, so the restart is immediate rather than backed off. */
const KILL_MIN_UPTIME_MS = SLEEPER_RESET_AFTER_MS + 50;

export async function runSoak(h: TendHome, options: SoakOptions): Promise<SoakReport> {
  const report: SoakReport = {
    home: h.home,
    bounds: options.bounds,
    lines: [],
    daemonsSeen: 0,
    twiceChecks: 0,
    violations: [],
    failures: [],
  };
  const started = await h.tend(['daemon', 'start']);
  if (started.code !== 0) throw new Error(`tend daemon start exited ${started.code}: ${started.stderr}`);
  const monitor = new Monitor(h.home);
  monitor.start();
  try {
    const context = await setUp(h, options, monitor, report);
    const daemonPid = (await callApiOk<{ pid: number }>(h.socket, 'GET', '/v1/daemon')).pid;
    const baseline = monitor.sampleDaemons().get(daemonPid);
    if (!baseline) throw new Error(`cannot read /proc/${daemonPid}`);
    await runCrashLoopPhase(context, daemonPid);
    await runProgramKillPhase(context, daemonPid);
    checkDaemonGrowth(context, daemonPid, baseline);
    await runDaemonKillPhase(context);
    const rows = await h.tendJson<ProgramRow[]>(['ls']);
    const restarts = context.names.sleepers.reduce(
      (sum, name) => sum + (rows.find((row) => row.name === name)?.restarts ?? 0),
      0,
    );
    if (restarts !== context.killer.kills) {
      context.fail(
        `tend ls --json: restarts add up to ${restarts}, but ${context.killer.kills} kills landed`,
      );
    }
  } catch (error) {
    report.failures.push(`the soak stopped early: ${(error as Error).stack ?? String(error)}`);
  } finally {
    monitor.stop();
    report.twiceChecks = monitor.twiceChecks;
    report.violations = monitor.violations;
    report.daemonsSeen = monitor.daemons.size;
    for (const violation of monitor.violations) {
      report.failures.push(
        `${violation.program} ran twice: pids ${violation.pids.join(' and ')} (seen in ${violation.seenTimes} scans)`,
      );
    }
  }
  return report;
}

async function setUp(
  h: TendHome,
  options: SoakOptions,
  monitor: Monitor,
  report: SoakReport,
): Promise<SoakContext> {
  const names = {
    sleepers: getNames('sleeper', options.sleepers),
    healthy: getNames('healthy', options.healthy),
    crashLoopers: getNames('crash', options.crashLoopers),
    writers: getNames('writer', options.writers),
  };
  for (const name of names.healthy) await createHealthy(h.socket, h.home, name);
  for (const name of names.sleepers) await createSleeper(h.socket, h.home, name);
  const crashStartedAt = Date.now();
  for (const name of names.crashLoopers) await createCrashLooper(h.socket, h.home, name);
  const steady = [...names.healthy, ...names.sleepers];
  const rows = await waitFor(
    async () => {
      const all = await listPrograms(h.socket);
      const mine = all.filter((row) => steady.includes(row.name));
      return mine.every((row) => row.state === 'running') ? mine : false;
    },
    STARTUP_TIMEOUT_MS,
    'the sleepers and healthy programs to run',
  );
  const steadyPids = new Map<string, number>();
  for (const row of rows) if (row.pid && names.healthy.includes(row.name)) steadyPids.set(row.name, row.pid);
  const killer = new ProgramKiller({
    socket: h.socket,
    home: h.home,
    names: names.sleepers,
    minUptimeMs: KILL_MIN_UPTIME_MS,
  });
  return {
    h,
    options,
    monitor,
    killer,
    report,
    names,
    crashStartedAt,
    steadyPids,
    fail: (message) => report.failures.push(message),
    log: options.log ?? (() => {}),
  };
}
