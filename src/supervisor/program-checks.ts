import type { Clock } from '../clock.js';
import type { CheckSpec, ProgramSpec } from '../config/program-schema.js';
import type { StatusChange } from '../health/check-runner.js';
import { createProbe as createRealProbe, type Probe } from '../health/probe.js';
import {
  type CheckView,
  type HealthSummary,
  hasReadinessChecks,
  ProgramHealth,
} from '../health/program-health.js';
import { getLaunch } from './launch.js';
import type { MachineEvent } from './states.js';

// The checks of one program's current process, turned into the table's events: the checks passing
// (when they decide readiness) and an alive check failing. A change healthy ↔ unhealthy becomes a
// note for the history.

export type ProbeFactory = (check: CheckSpec, spec: ProgramSpec) => Probe;

/** The real probes; an exec check runs with the program's directory, environment and user. */
export const createProgramProbe: ProbeFactory = (check, spec) => {
  let context: { cwd: string; env: Record<string, string | undefined>; uid?: number; gid?: number };
  try {
    const { env, uid, gid } = getLaunch(spec);
    context = { cwd: spec.cwd, env, uid, gid };
  } catch {
    context = { cwd: spec.cwd, env: { PATH: process.env.PATH } };
  }
  return createRealProbe(check, context);
};

export function startProgramChecks(options: {
  spec: ProgramSpec;
  clock: Clock;
  probes: ProbeFactory;
  adopted: boolean;
  dispatch(event: MachineEvent): void;
  note(message: string): void;
}): ProgramHealth | null {
  const { spec } = options;
  if (spec.checks.length === 0) return null;
  const decidesReadiness = hasReadinessChecks(spec.checks);
  const health = new ProgramHealth(spec.checks, {
    clock: options.clock,
    createProbe: (check) => options.probes(check, spec),
    listener: {
      onReady: () => {
        if (decidesReadiness) options.dispatch({ type: 'checks-passed' });
      },
      onFailed: (reason) => options.dispatch({ type: 'health-failed', reason }),
      onStatusChange: (change) => options.note(describeChange(change)),
    },
  });
  health.start({ assumeStarted: options.adopted });
  return health;
}

export function describeChange(change: StatusChange): string {
  const { check, result } = change;
  const what = `check "${check.name}" (${check.level})`;
  if (change.to === 'healthy') return `${what} healthy again: ${result.message}`;
  return `${what} unhealthy: ${result.message}, ${change.failures} failures in a row`;
}

export interface ProcessChecksOptions {
  readonly spec: ProgramSpec;
  readonly clock: Clock;
  readonly probes: ProbeFactory;
  dispatch(event: MachineEvent): void;
  /** A check of process `pid` changed between healthy and unhealthy. */
  note(pid: number | null, message: string): void;
}

/** The checks of a program's main process: a fresh start for each process, stopped when it ends. */
export class ProcessChecks {
  #health: ProgramHealth | null = null;
  #options: ProcessChecksOptions;

  constructor(options: ProcessChecksOptions) {
    this.#options = options;
  }

  /** Checks belong to a process: a fresh start for each spawn, the startup checks skipped on adoption. */
  start(adopted: boolean, pid: number | null): void {
    this.stop();
    this.#health = startProgramChecks({
      spec: this.#options.spec,
      clock: this.#options.clock,
      probes: this.#options.probes,
      adopted,
      dispatch: (event) => this.#options.dispatch(event),
      note: (message) => this.#options.note(pid, message),
    });
  }

  stop(): void {
    this.#health?.stop();
    this.#health = null;
  }

  /** A reload's new process became the main one: its checks, already running, are the main's now. */
  takeOver(health: ProgramHealth | null): void {
    this.#health = health;
  }

  /** For the snapshot: the summary and each check, or null without checks. */
  view(): { summary: HealthSummary; checks: readonly CheckView[] } | null {
    return this.#health && { summary: this.#health.summary(), checks: this.#health.views() };
  }
}
