import { findDaemons } from '../test/e2e/helpers.js';
import { findProgramLeaders, isProgramLeader, type ProcessSample, sampleProcess } from './proc.js';

// Watches a home for the whole soak: the daemon's fds, memory and CPU every second (a series per
// daemon pid, since phase 3 replaces the daemon), and, every 100 ms, that no program has two main
// processes at once.

const DAEMON_SAMPLE_EVERY_MS = 1000;
const TWICE_CHECK_EVERY_MS = 100;

export interface TwiceViolation {
  readonly program: string;
  readonly pids: number[];
  readonly firstSeen: number;
  seenTimes: number;
}

export class Monitor {
  readonly daemons = new Map<number, ProcessSample[]>();
  readonly violations: TwiceViolation[] = [];
  twiceChecks = 0;
  #home: string;
  #timers: NodeJS.Timeout[] = [];

  constructor(home: string) {
    this.#home = home;
  }

  start(): void {
    this.sampleDaemons();
    this.#timers.push(setInterval(() => this.sampleDaemons(), DAEMON_SAMPLE_EVERY_MS));
    this.#timers.push(setInterval(() => this.checkTwice(), TWICE_CHECK_EVERY_MS));
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  /** Samples every live daemon of the home now; returns the samples by pid. */
  sampleDaemons(): Map<number, ProcessSample> {
    const taken = new Map<number, ProcessSample>();
    for (const daemon of findDaemons(this.#home)) {
      const sample = sampleProcess(daemon.pid);
      if (!sample) continue;
      const series = this.daemons.get(daemon.pid) ?? [];
      series.push(sample);
      this.daemons.set(daemon.pid, series);
      taken.set(daemon.pid, sample);
    }
    return taken;
  }

  /**
   * A scan of /proc is not atomic: an old main process read early and its replacement read a few
   * ms later can both look alive. So a suspect is read again at once, just those pids; two that are
   * still alive then really run side by side.
   */
  checkTwice(): void {
    this.twiceChecks += 1;
    for (const [program, pids] of findProgramLeaders(this.#home)) {
      if (pids.length < 2) continue;
      const alive = pids.filter((pid) => isProgramLeader(this.#home, program, pid)).sort((a, b) => a - b);
      if (alive.length < 2) continue;
      const known = this.violations.find(
        (violation) => violation.program === program && violation.pids.join() === alive.join(),
      );
      if (known) known.seenTimes += 1;
      else this.violations.push({ program, pids: alive, firstSeen: Date.now(), seenTimes: 1 });
    }
  }
}
