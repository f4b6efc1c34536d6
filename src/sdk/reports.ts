import { DAEMON_EVENTS } from './daemon-events.js';
import type { EventQueue } from './event-queue.js';
import { writeJsonFile } from './json-file.js';
import type { DaemonLogger } from './logger.js';
import { buildRunLog, type RunLog } from './stats.js';
import type { StateDump } from './types.js';

// What SIGUSR1 (the run log) and SIGUSR2 (the state dump) write, and the writing.

export interface ReportSource {
  readonly name: string;
  readonly state: string;
  readonly startedAtMs: number | null;
  readonly queue: EventQueue;
  readonly dumpState?: () => unknown;
}

export function getRunLog(source: ReportSource): RunLog {
  return buildRunLog({
    name: source.name,
    state: source.state,
    startedAtMs: source.startedAtMs,
    nowMs: Date.now(),
    queueLength: source.queue.length,
    timedCount: source.queue.timedCount,
    events: source.queue.getStats().snapshot(),
  });
}

export async function getStateDump(source: ReportSource): Promise<StateDump> {
  return {
    ...getRunLog(source),
    state: source.dumpState ? await source.dumpState() : null,
    queued: source.queue.listQueued(),
    timed: source.queue.listTimed(),
  };
}

/** Writes the report and logs where, so an operator who sent the signal finds it. */
export function writeReport(logger: DaemonLogger, what: string, path: string, content: unknown): void {
  writeJsonFile(path, content);
  logger.info(`${what} written to ${path}`);
}

/** Writes the run log and the state dump when their events come (SIGUSR1, SIGUSR2), to the paths given. */
export function writeReportsOnEvents(
  queue: EventQueue,
  logger: DaemonLogger,
  paths: { readonly runLog: string; readonly stateDump: string },
  getSource: () => ReportSource,
): void {
  queue.on(DAEMON_EVENTS.runLog, () => writeReport(logger, 'run log', paths.runLog, getRunLog(getSource())));
  queue.on(DAEMON_EVENTS.stateDump, async () =>
    writeReport(logger, 'state dump', paths.stateDump, await getStateDump(getSource())),
  );
}
