import { statSync } from 'node:fs';
import { type HistoryEvent, isAlive, type ProgramRow, waitFor } from '../test/e2e/helpers.js';
import { callApiOk } from './api.js';
import type { SoakContext } from './context.js';
import { delay } from './context.js';
import { checkNumberedLog, getLogFiles, hasEnded } from './numbered-lines.js';
import { checkRestartCounts, waitForRestarts } from './phase-program-kills.js';
import { CRASH_BACKOFF, createWriter, getMaxCrashRestarts, listPrograms } from './programs.js';

// Phase 3: the daemon is SIGKILLed every few seconds while writers write numbered lines and the
// program kills go on. After each kill `tend ls` brings a new daemon, which must adopt every
// program with the same pid. At the end the writers are stopped and every line they wrote must be
// in their logs exactly once, in order.

const DAEMON_EXIT_TIMEOUT_MS = 5000;
const WRITERS_END_TIMEOUT_MS = 15_000;
const EVENTS_LIMIT = 1000;
const DRAIN_TIMEOUT_MS = 3000;
const DRAINED_AFTER_STABLE_POLLS = 3;
/** The writer's clock and ours agree to well within this. */
const NEAR_KILL_MS = 500;

export async function runDaemonKillPhase(context: SoakContext): Promise<void> {
  const { h, options, killer, names, report } = context;
  const perWriter = Math.ceil(options.linesPerSecond / Math.max(1, names.writers.length));
  for (const name of names.writers) {
    await createWriter(h.socket, h.home, name, perWriter, options.writerLogMaxSize);
  }
  const writers = await waitFor(
    async () => {
      const rows = await listPrograms(h.socket);
      const mine = rows.filter((row) => names.writers.includes(row.name));
      return mine.every((row) => row.state === 'running') ? mine : false;
    },
    10_000,
    'the writers to run',
  );
  for (const row of writers) if (row.pid) context.steadyPids.set(row.name, row.pid);
  const killTimes: number[] = [];
  const startedAt = Date.now();
  const deadline = startedAt + options.daemonKillsMs;
  context.log(
    `phase 3: daemon SIGKILLs every ${options.daemonKillEveryMs.join('–')} ms for ${options.daemonKillsMs} ms`,
  );
  const killsBefore = killer.kills;
  const killsWhileDownBefore = killer.killsWhileDown;
  killer.start(options.programKillEveryMs);
  let kills = 0;
  let readoptions = 0;
  try {
    const [min, max] = options.daemonKillEveryMs;
    for (;;) {
      const wait = min + Math.random() * (max - min);
      if (Date.now() + wait > deadline) break;
      await delay(wait);
      kills += 1;
      if (await killDaemonAndCheckAdoption(context, killTimes)) readoptions += 1;
    }
    await delay(Math.max(0, deadline - Date.now()));
  } finally {
    await killer.stop();
  }
  const rows = await waitForRestarts(context);
  const endedAt = Date.now();
  report.daemonKills = {
    ms: endedAt - startedAt,
    kills,
    readoptions,
    programKills: killer.kills - killsBefore,
    programKillsWhileDown: killer.killsWhileDown - killsWhileDownBefore,
  };
  checkRestartCounts(context, rows);
  await checkCrashStarts(context, endedAt);
  await stopWriters(context, { writers, linesPerSecond: perWriter, killTimes });
}

/** Returns whether the new daemon adopted every steady program with its pid. */
async function killDaemonAndCheckAdoption(context: SoakContext, killTimes: number[]): Promise<boolean> {
  const { h, names, options } = context;
  const before = await callApiOk<{ pid: number }>(h.socket, 'GET', '/v1/daemon');
  const writerPids = names.writers.flatMap((name) => context.steadyPids.get(name) ?? []);
  if (options.quiesceWriters) {
    for (const pid of writerPids) process.kill(pid, 'SIGSTOP');
    await waitForDrained(context);
  }
  try {
    process.kill(before.pid, 'SIGKILL');
    killTimes.push(Date.now());
    await waitFor(
      () => !isAlive(before.pid),
      DAEMON_EXIT_TIMEOUT_MS,
      `the daemon (pid ${before.pid}) to die`,
    );
  } finally {
    // Resumed before the next daemon starts: what they write meanwhile waits in their FIFOs.
    if (options.quiesceWriters) for (const pid of writerPids) process.kill(pid, 'SIGCONT');
  }
  // Read-only verbs never start a daemon: the CLI's daemon start does, then the API is asked.
  await h.tendJson(['daemon', 'start']);
  const rows = await listPrograms(h.socket);
  const after = await callApiOk<{ pid: number }>(h.socket, 'GET', '/v1/daemon');
  if (after.pid === before.pid)
    context.fail(`tend daemon start did not bring a new daemon after killing pid ${before.pid}`);
  let adopted = true;
  for (const [name, pid] of context.steadyPids) {
    const row = rows.find((candidate) => candidate.name === name);
    if (row?.pid === pid && row.state === 'running' && row.adopted) continue;
    adopted = false;
    context.fail(
      `after daemon kill ${before.pid} → ${after.pid}, ${name} (pid ${pid}) is ${JSON.stringify(row)}`,
    );
  }
  return adopted;
}

/**
 * A daemon that dies does not reset a crash loop: the next one goes on with the same backoff. So
 * over the whole soak, daemon kills included, a looper starts at most once plus the restarts its
 * schedule allows since it was created (each start is a `starting` event in its history).
 */
async function checkCrashStarts(context: SoakContext, endedAt: number): Promise<void> {
  const elapsedMs = endedAt - context.crashStartedAt;
  const maxAllowed = 1 + getMaxCrashRestarts(elapsedMs);
  let total = 0;
  for (const name of context.names.crashLoopers) {
    const events = await callApiOk<HistoryEvent[]>(
      context.h.socket,
      'GET',
      `/v1/programs/${name}/events?limit=${EVENTS_LIMIT}`,
    );
    const starts = events.filter((event) => event.to === 'starting').length;
    total += starts;
    if (starts > maxAllowed) {
      context.fail(
        `${name} was started ${starts} times in ${elapsedMs} ms (with daemon kills); ` +
          `its backoff (×${CRASH_BACKOFF.multiplier} up to ${CRASH_BACKOFF.maxMs} ms) allows ${maxAllowed}`,
      );
    }
  }
  context.report.crashStarts = { starts: total, maxAllowed: maxAllowed * context.names.crashLoopers.length };
}

/** Stopped writers write nothing; once their logs stop growing the daemon has read everything. */
async function waitForDrained(context: SoakContext): Promise<void> {
  const sizeOf = () =>
    context.names.writers
      .flatMap((name) => getLogFiles(context.h.home, name))
      .reduce((sum, file) => sum + (statSync(file, { throwIfNoEntry: false })?.size ?? 0), 0);
  let last = -1;
  let stableFor = 0;
  await waitFor(
    () => {
      const size = sizeOf();
      stableFor = size === last ? stableFor + 1 : 0;
      last = size;
      return stableFor >= DRAINED_AFTER_STABLE_POLLS;
    },
    DRAIN_TIMEOUT_MS,
    'the writers’ FIFOs to drain',
  );
}

interface WriterFacts {
  readonly writers: readonly ProgramRow[];
  readonly linesPerSecond: number;
  readonly killTimes: readonly number[];
}

async function stopWriters(context: SoakContext, facts: WriterFacts): Promise<void> {
  const { h, names, report } = context;
  await Promise.all(
    names.writers.map((name) =>
      callApiOk(h.socket, 'POST', `/v1/programs/${name}/stop`, { timeoutMs: 30_000 }),
    ),
  );
  for (const name of names.writers) context.steadyPids.delete(name);
  try {
    await waitFor(
      () => names.writers.every((name) => hasEnded(h.home, name)),
      WRITERS_END_TIMEOUT_MS,
      'every writer’s last line to reach its log',
    );
  } catch (error) {
    context.fail((error as Error).message);
  }
  report.lines = names.writers.map((name) => checkNumberedLog(h.home, name));
  for (const check of report.lines) {
    if (check.lost + check.duplicated + check.outOfOrder + check.garbled > 0 || check.endedAt === null) {
      const gaps = check.gaps.map((gap) => describeGap(check.program, gap, facts)).join('; ');
      context.fail(
        `${check.program}: ${check.checked} lines, lost ${check.lost}, duplicated ${check.duplicated}, ` +
          `out of order ${check.outOfOrder}, garbled ${check.garbled}: ${[...check.examples, gaps].filter(Boolean).join('; ')}`,
      );
    }
  }
}

/**
 * When lost lines were written (the writer numbers lines by the clock), and the daemon kill nearest
 * to that moment: a loss right at a kill means the kill landed between the daemon's read from the
 * FIFO and its write to the log, so the chunk it held died with it.
 */
function describeGap(program: string, gap: { from: number; to: number }, facts: WriterFacts): string {
  const startedAt = Date.parse(facts.writers.find((row) => row.name === program)?.startedAt ?? '');
  const writtenAt = startedAt + ((gap.from - 1) / facts.linesPerSecond) * 1000;
  const nearest = Math.min(...facts.killTimes.map((time) => Math.abs(time - writtenAt)));
  const range = gap.from === gap.to ? `line ${gap.from}` : `lines ${gap.from}–${gap.to}`;
  const when = Number.isFinite(writtenAt) ? `, written ≈ ${new Date(writtenAt).toISOString()}` : '';
  const kill =
    nearest < NEAR_KILL_MS
      ? `, ${Math.round(nearest)} ms from a daemon SIGKILL (the kill fell between a read from the FIFO and the write to the log)`
      : '';
  return `${range} missing${when}${kill}`;
}
