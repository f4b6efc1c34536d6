// What a soak run does and the bounds it holds the daemon to. `npm run soak -- --minutes M` splits
// M minutes into three phases of M/3; the chaos test in `npm test` uses a few seconds each.

export interface SoakOptions {
  /** Phase 1: crash loopers beside healthy programs; the daemon's CPU is measured. */
  readonly crashLoopMs: number;
  /** Phase 2: random SIGKILLs of sleeper programs. */
  readonly programKillsMs: number;
  /** Phase 3: SIGKILLs of the daemon while writers write numbered lines (program kills go on). */
  readonly daemonKillsMs: number;
  readonly sleepers: number;
  readonly healthy: number;
  readonly crashLoopers: number;
  readonly writers: number;
  /** Across all writers. */
  readonly linesPerSecond: number;
  /** Writers' logs rotate at this size (a size string like 64KB), so rotation happens under the kills too. */
  readonly writerLogMaxSize: string;
  /** One program kill at most per this many ms. */
  readonly programKillEveryMs: number;
  /** The daemon is killed after a random wait in this range. */
  readonly daemonKillEveryMs: readonly [number, number];
  /**
   * Stop the writers (SIGSTOP) and let the daemon drain their FIFOs before each daemon kill, then
   * resume them (SIGCONT) at once. This closes the one window that can lose output (a kill between
   * the daemon's read from a FIFO and its write to the log), so a short test cannot flake on it;
   * output written while no daemon runs is still checked. The soak kills at random instants.
   */
  readonly quiesceWriters: boolean;
  readonly bounds: SoakBounds;
  /** Progress lines (the soak script prints them; tests stay quiet). */
  readonly log?: (message: string) => void;
}

export interface SoakBounds {
  /** The daemon's CPU while programs crash-loop beside it, in % of one core. */
  readonly crashLoopCpuPercent: number;
  /** Open fds and memory of the long-lived daemon (phases 1–2), end minus start. */
  readonly fdGrowth: number;
  readonly rssGrowthBytes: number;
}

export const DEFAULT_BOUNDS: SoakBounds = {
  crashLoopCpuPercent: 10,
  fdGrowth: 20,
  rssGrowthBytes: 30 * 1024 * 1024,
};

export function getSoakOptions(minutes: number, log?: (message: string) => void): SoakOptions {
  const phaseMs = Math.round((minutes * 60_000) / 3);
  return {
    crashLoopMs: phaseMs,
    programKillsMs: phaseMs,
    daemonKillsMs: phaseMs,
    sleepers: 20,
    healthy: 3,
    crashLoopers: 4,
    writers: 3,
    linesPerSecond: 2000,
    writerLogMaxSize: '64KB',
    programKillEveryMs: 50,
    daemonKillEveryMs: [2000, 4000],
    quiesceWriters: false,
    bounds: DEFAULT_BOUNDS,
    log,
  };
}
