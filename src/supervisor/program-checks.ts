import type { Clock } from '../clock.js';
import type { CheckSpec, ProgramSpec } from '../config/program-schema.js';
import type { StatusChange } from '../health/check-runner.js';
import { createProbe as createRealProbe, type Probe } from '../health/probe.js';
import { hasReadinessChecks, ProgramHealth } from '../health/program-health.js';
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
