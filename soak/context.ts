import type { TendHome } from '../test/e2e/helpers.js';
import type { Monitor } from './monitor.js';
import type { SoakOptions } from './options.js';
import type { ProgramKiller } from './program-killer.js';
import type { SoakReport } from './report.js';

// What every phase of a soak shares.

export interface SoakContext {
  readonly h: TendHome;
  readonly options: SoakOptions;
  readonly monitor: Monitor;
  readonly killer: ProgramKiller;
  readonly report: SoakReport;
  readonly names: {
    readonly sleepers: string[];
    readonly healthy: string[];
    readonly crashLoopers: string[];
    readonly writers: string[];
  };
  /** When the crash loopers were created: their backoff schedule counts from here. */
  readonly crashStartedAt: number;
  /** Pids that must never change: the healthy programs' (and, from phase 3, the writers'). */
  readonly steadyPids: Map<string, number>;
  fail(message: string): void;
  log(message: string): void;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CPU time used between two samples, in % of one core. */
export function getCpuPercent(
  start: { time: number; cpuTicks: number },
  end: { time: number; cpuTicks: number },
  ticksPerSecond: number,
): number {
  const wallMs = Math.max(1, end.time - start.time);
  return (((end.cpuTicks - start.cpuTicks) / ticksPerSecond) * 1000 * 100) / wallMs;
}
