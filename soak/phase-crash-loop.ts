import type { SoakContext } from './context.js';
import { delay, getCpuPercent } from './context.js';
import { CLOCK_TICKS_PER_SECOND } from './proc.js';
import { getMaxCrashRestarts, listPrograms } from './programs.js';
import type { CrashLooperResult } from './report.js';

// Phase 1: programs that exit 1 at once, forever, beside healthy ones. The loopers must restart no
// more often than their backoff allows (and no less: they are still being retried), the daemon's
// CPU must stay under its bound, and the healthy programs must not notice.

/** Each run of crash.sh (spawn, sh, exit, the exit noticed) may take this long on a loaded machine. */
const RUN_SLACK_MS = 300;

export async function runCrashLoopPhase(context: SoakContext, daemonPid: number): Promise<void> {
  const { options, monitor, report, names } = context;
  const start = monitor.sampleDaemons().get(daemonPid);
  if (!start) throw new Error(`the daemon (pid ${daemonPid}) is gone before phase 1`);
  context.log(`phase 1: ${names.crashLoopers.length} crash loopers for ${options.crashLoopMs} ms`);
  await delay(Math.max(0, context.crashStartedAt + options.crashLoopMs - Date.now()));
  const rows = await listPrograms(context.h.socket);
  const end = monitor.sampleDaemons().get(daemonPid);
  if (!end) throw new Error(`the daemon (pid ${daemonPid}) died during phase 1`);
  const loopers = checkCrashLoopers(context, rows, Date.now());
  const cpu = getCpuPercent(start, end, CLOCK_TICKS_PER_SECOND);
  report.crashLoop = {
    ms: end.time - start.time,
    loopers,
    daemonCpuPercent: cpu,
    healthy: names.healthy.length,
  };
  if (cpu > options.bounds.crashLoopCpuPercent) {
    context.fail(
      `the daemon used ${cpu.toFixed(1)} % CPU beside crash loops (bound ${options.bounds.crashLoopCpuPercent} %)`,
    );
  }
  for (const looper of loopers) {
    if (looper.restarts < looper.minExpected) {
      context.fail(
        `${looper.name} restarted only ${looper.restarts} times; its backoff schedule expects ${looper.minExpected}`,
      );
    }
  }
}

/** Checks every crash looper against the schedule; an excess fails the soak (a shortfall only here in phase 1). */
export function checkCrashLoopers(
  context: SoakContext,
  rows: readonly { name: string; restarts: number }[],
  now: number,
): CrashLooperResult[] {
  const elapsedMs = now - context.crashStartedAt;
  const maxAllowed = getMaxCrashRestarts(elapsedMs);
  const minExpected = getMaxCrashRestarts(elapsedMs, RUN_SLACK_MS);
  return context.names.crashLoopers.map((name) => {
    const restarts = rows.find((row) => row.name === name)?.restarts ?? -1;
    if (restarts > maxAllowed) {
      context.fail(
        `${name} restarted ${restarts} times in ${elapsedMs} ms; its backoff allows at most ${maxAllowed}`,
      );
    }
    return { name, restarts, maxAllowed, minExpected };
  });
}
