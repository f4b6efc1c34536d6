import type { Clock, TimerHandle } from '../clock.js';
import type { CheckSpec } from '../config/program-schema.js';
import type { Probe } from './probe.js';
import {
  type CheckStatus,
  INITIAL_THRESHOLD_STATE,
  recordOutcome,
  type ThresholdState,
} from './thresholds.js';

// Runs one check on its period: after initialDelay, then every period from the start of the last
// run (never two at once: a run that takes longer than the period delays the next). The timeout is
// a timer here, not in the probe: at it the probe is aborted (an exec check is killed) and the run
// counts as a failure. Nothing here blocks: the probe is a promise, the clock is the System's.

/** How long an aborted probe may take to hand back its output before the run ends without it. */
const ABORT_GRACE_MS = 1000;

export type { Clock };

export interface CheckResult {
  readonly ok: boolean;
  readonly message: string;
  readonly output: string;
  /** When the run started and how long it took (ms). */
  readonly at: number;
  readonly durationMs: number;
}

export interface StatusChange {
  readonly check: CheckSpec;
  readonly from: CheckStatus;
  readonly to: CheckStatus;
  readonly result: CheckResult;
  readonly failures: number;
}

export class CheckRunner {
  readonly check: CheckSpec;
  #clock: Clock;
  #probe: Probe;
  #onResult: (runner: CheckRunner, result: CheckResult, change: StatusChange | null) => void;
  #state: ThresholdState = INITIAL_THRESHOLD_STATE;
  #last: CheckResult | null = null;
  #timer: TimerHandle | null = null;
  #inFlight: AbortController | null = null;
  #running = false;

  constructor(
    check: CheckSpec,
    deps: {
      clock: Clock;
      probe: Probe;
      onResult: (runner: CheckRunner, result: CheckResult, change: StatusChange | null) => void;
    },
  ) {
    this.check = check;
    this.#clock = deps.clock;
    this.#probe = deps.probe;
    this.#onResult = deps.onResult;
  }

  get status(): CheckStatus {
    return this.#state.status;
  }

  get consecutiveFailures(): number {
    return this.#state.failures;
  }

  get last(): CheckResult | null {
    return this.#last;
  }

  get isRunning(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(this.check.initialDelay);
  }

  /** Stops for good: a run in flight is aborted and its result ignored. */
  stop(): void {
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = null;
    this.#inFlight?.abort();
    this.#inFlight = null;
  }

  #schedule(ms: number): void {
    this.#timer = this.#clock.setTimer(ms, () => {
      this.#timer = null;
      this.#run();
    });
  }

  #run(): void {
    const controller = new AbortController();
    this.#inFlight = controller;
    const at = this.#clock.now();
    let settled = false;
    let timer: TimerHandle | null = null;
    const settle = (outcome: { ok: boolean; message: string; output: string }) => {
      if (settled || this.#inFlight !== controller) return;
      settled = true;
      this.#inFlight = null;
      timer?.cancel();
      const now = this.#clock.now();
      const message = controller.signal.aborted ? this.#describeTimeout() : outcome.message;
      const ok = outcome.ok && !controller.signal.aborted;
      this.#record({ ok, message, output: outcome.output, at, durationMs: now - at });
      if (this.#running) this.#schedule(Math.max(0, at + this.check.period - now));
    };
    // At the timeout the probe is aborted and given a moment to hand back what it has (an exec
    // check's output up to its kill); past that moment the run ends without it.
    timer = this.#clock.setTimer(this.check.timeout, () => {
      controller.abort();
      timer = this.#clock.setTimer(ABORT_GRACE_MS, () => settle({ ok: false, message: '', output: '' }));
    });
    this.#probe(controller.signal).then(settle, (error: Error) =>
      settle({ ok: false, message: error.message, output: '' }),
    );
  }

  #describeTimeout(): string {
    const message = `timed out after ${this.check.timeout} ms`;
    return this.check.exec ? `${message}; killed` : message;
  }

  #record(result: CheckResult): void {
    const before = this.#state;
    this.#state = recordOutcome(before, result.ok, this.check);
    this.#last = result;
    const change =
      before.status === this.#state.status
        ? null
        : {
            check: this.check,
            from: before.status,
            to: this.#state.status,
            result,
            failures: this.#state.failures,
          };
    this.#onResult(this, result, change);
  }
}
