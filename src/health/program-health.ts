import type { TimerHandle } from '../clock.js';
import type { CheckLevel } from '../config/check-schema.js';
import type { CheckSpec } from '../config/program-schema.js';
import { type CheckResult, CheckRunner, type Clock, type StatusChange } from './check-runner.js';
import type { Probe } from './probe.js';
import type { CheckStatus } from './thresholds.js';

// The checks of one process, by level (docs/health.md):
// - startup: runs first, alone; once it has passed, the others begin. Not passing within its budget
//   is a failure of the process.
// - alive: unhealthy → the process has failed (the program restarts it through its policy).
// - ready: all healthy → the process is ready (starting → running, or a reload may go on).
// One instance lives as long as the process it checks: created at spawn (or adoption), stopped at exit.

export type HealthSummary = 'none' | 'starting' | 'checking' | 'healthy' | 'unready' | 'unhealthy';

export interface HealthListener {
  /** Every startup and ready check passes (called each time that becomes true). */
  onReady(): void;
  /** An alive check became unhealthy, or a startup check ran out of budget. */
  onFailed(reason: string): void;
  /** A check went healthy ↔ unhealthy (for the history). */
  onStatusChange(change: StatusChange): void;
}

export interface CheckView {
  readonly name: string;
  readonly kind: 'http' | 'tcp' | 'exec';
  readonly level: CheckLevel;
  readonly status: CheckStatus;
  readonly consecutiveFailures: number;
  readonly last: CheckResult | null;
}

/** Whether the checks decide readiness (a startup or a ready check): then ready waits for them. */
export function hasReadinessChecks(checks: readonly CheckSpec[]): boolean {
  return checks.some((check) => check.level === 'ready' || check.level === 'startup');
}

export class ProgramHealth {
  #runners: CheckRunner[];
  #clock: Clock;
  #listener: HealthListener;
  #budget: TimerHandle | null = null;
  #startupPassed: boolean;
  #ready = false;
  #stopped = false;

  constructor(
    checks: readonly CheckSpec[],
    deps: { clock: Clock; createProbe(check: CheckSpec): Probe; listener: HealthListener },
  ) {
    this.#clock = deps.clock;
    this.#listener = deps.listener;
    this.#runners = checks.map(
      (check) =>
        new CheckRunner(check, {
          clock: deps.clock,
          probe: deps.createProbe(check),
          onResult: (runner, _result, change) => this.#onResult(runner, change),
        }),
    );
    this.#startupPassed = !checks.some((check) => check.level === 'startup');
  }

  /** Starts checking a fresh process. `assumeStarted`: an adopted one, past its startup already. */
  start(options: { assumeStarted?: boolean } = {}): void {
    if (options.assumeStarted) this.#startupPassed = true;
    if (this.#startupPassed) {
      this.#startMain();
      return;
    }
    const startup = this.#of('startup');
    for (const runner of startup) runner.start();
    const budgetMs = Math.max(
      ...startup.map((runner) => runner.check.initialDelay + (runner.check.budget ?? 0)),
    );
    this.#budget = this.#clock.setTimer(budgetMs, () => {
      this.#budget = null;
      if (this.#startupPassed || this.#stopped) return;
      const late = startup.find((runner) => runner.status !== 'healthy') ?? startup[0];
      const last = late?.last ? `: ${late.last.message}` : '';
      this.#listener.onFailed(
        `startup check "${late?.check.name}" did not pass within ${budgetMs} ms${last}`,
      );
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#budget?.cancel();
    this.#budget = null;
    for (const runner of this.#runners) runner.stop();
  }

  /** True when every startup check has passed and every ready check is healthy. */
  isReady(): boolean {
    return this.#startupPassed && this.#of('ready').every((runner) => runner.status === 'healthy');
  }

  summary(): HealthSummary {
    if (this.#runners.length === 0) return 'none';
    if (!this.#startupPassed) return 'starting';
    const main = this.#runners.filter((runner) => runner.check.level !== 'startup');
    if (main.some((runner) => runner.check.level === 'alive' && runner.status === 'unhealthy'))
      return 'unhealthy';
    if (main.some((runner) => runner.check.level === 'ready' && runner.status === 'unhealthy'))
      return 'unready';
    if (main.some((runner) => runner.status === 'unknown')) return 'checking';
    return 'healthy';
  }

  views(): CheckView[] {
    return this.#runners.map((runner) => ({
      name: runner.check.name,
      kind: runner.check.http ? 'http' : runner.check.tcp ? 'tcp' : 'exec',
      level: runner.check.level,
      status: runner.status,
      consecutiveFailures: runner.consecutiveFailures,
      last: runner.last,
    }));
  }

  #of(level: CheckLevel): CheckRunner[] {
    return this.#runners.filter((runner) => runner.check.level === level);
  }

  #startMain(): void {
    for (const runner of this.#runners) if (runner.check.level !== 'startup') runner.start();
    this.#noteReadiness();
  }

  #onResult(runner: CheckRunner, change: StatusChange | null): void {
    if (this.#stopped) return;
    const level = runner.check.level;
    if (level === 'startup') {
      if (runner.status !== 'healthy') return;
      runner.stop();
      if (this.#of('startup').some((other) => other.status !== 'healthy')) return;
      this.#startupPassed = true;
      this.#budget?.cancel();
      this.#budget = null;
      this.#startMain();
      return;
    }
    // unknown → healthy is the normal start, not news; every other change is.
    if (change && !(change.from === 'unknown' && change.to === 'healthy'))
      this.#listener.onStatusChange(change);
    if (level === 'alive' && change?.to === 'unhealthy') {
      const result = change.result;
      this.#listener.onFailed(
        `check "${runner.check.name}" failed ${change.failures} times in a row (${result.message})`,
      );
      return;
    }
    if (level === 'ready') this.#noteReadiness();
  }

  #noteReadiness(): void {
    const ready = this.isReady();
    if (ready && !this.#ready) {
      this.#ready = true;
      this.#listener.onReady();
    } else if (!ready) this.#ready = false;
  }
}
