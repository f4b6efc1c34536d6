// Per-event statistics and the run log built from them (what SIGUSR1 writes): how often each event
// ran, how often it failed, how long it took, plus the daemon's uptime, queue and memory.

/**
 * The figures kept for one event name.
 *
 * @example
 * const fetch: EventStats = daemon.getRunLog().events.fetch; // { count: 12, errors: 1, totalMs: 830.2, ... }
 */
export interface EventStats {
  count: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  lastAt: string | null;
}

export interface EventStatsRecorder {
  record(event: string, durationMs: number, failed: boolean): void;
  snapshot(): Record<string, EventStats>;
}

export function createEventStats(now: () => number = Date.now): EventStatsRecorder {
  const byEvent = new Map<string, EventStats>();
  return {
    record(event, durationMs, failed) {
      let stats = byEvent.get(event);
      if (!stats) {
        stats = { count: 0, errors: 0, totalMs: 0, maxMs: 0, lastAt: null };
        byEvent.set(event, stats);
      }
      stats.count += 1;
      if (failed) stats.errors += 1;
      stats.totalMs += durationMs;
      stats.maxMs = Math.max(stats.maxMs, durationMs);
      stats.lastAt = new Date(now()).toISOString();
    },
    snapshot() {
      const copy: Record<string, EventStats> = {};
      for (const [event, stats] of byEvent) {
        copy[event] = { ...stats, totalMs: round(stats.totalMs), maxMs: round(stats.maxMs) };
      }
      return copy;
    },
  };
}

/**
 * The run log: a JSON-ready snapshot of a running daemon.
 *
 * @example
 * const log: RunLog = daemon.getRunLog();
 * console.log(log.uptimeMs, log.queue.length, log.events.fetch?.errors);
 */
export interface RunLog {
  name: string;
  pid: number;
  daemonState: string;
  startedAt: string | null;
  uptimeMs: number;
  writtenAt: string;
  queue: { length: number; timed: number };
  events: Record<string, EventStats>;
  memory: NodeJS.MemoryUsage;
}

export interface RunLogInput {
  name: string;
  state: string;
  startedAtMs: number | null;
  nowMs: number;
  queueLength: number;
  timedCount: number;
  events: Record<string, EventStats>;
}

export function buildRunLog(input: RunLogInput): RunLog {
  return {
    name: input.name,
    pid: process.pid,
    daemonState: input.state,
    startedAt: input.startedAtMs === null ? null : new Date(input.startedAtMs).toISOString(),
    uptimeMs: input.startedAtMs === null ? 0 : input.nowMs - input.startedAtMs,
    writtenAt: new Date(input.nowMs).toISOString(),
    queue: { length: input.queueLength, timed: input.timedCount },
    events: input.events,
    memory: process.memoryUsage(),
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
