import type { ProgramSpec } from '../config/program-schema.js';
import { BadRequestError, TendError } from '../errors.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Plan, PlanAction } from './plan.js';

// Carries out a plan: removals first, then each program (by its key in the file) in dependency
// order, starting a program only once everything it depends on is running. Changed programs are
// replaced one instance at a time, each waiting for the previous one to run.

export const DEPENDENCY_TIMEOUT_MS = 120_000;
/** Failed starts in a row after which a dependency is clearly failing: waiting longer is pointless. */
export const DEPENDENCY_FAILURES = 3;

export class DependencyFailedError extends TendError {
  constructor(program: string, dependency: string, why: string, cause?: unknown) {
    super(
      'DEPENDENCY_FAILED',
      `Program "${program}" was not started: its dependency "${dependency}" ${why}`,
      {
        cause,
      },
    );
  }
}

const keyOf = (spec: ProgramSpec) => spec.instanceOf ?? spec.name;

/** Program keys, dependencies first (Kahn's algorithm; file order among independent ones). */
export function getStartOrder(specs: readonly ProgramSpec[]): string[] {
  const dependsOn = new Map<string, Set<string>>();
  for (const spec of specs) dependsOn.set(keyOf(spec), new Set(spec.dependsOn));
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < dependsOn.size) {
    const ready = [...dependsOn].find(
      ([key, deps]) => !done.has(key) && [...deps].every((dep) => done.has(dep) || !dependsOn.has(dep)),
    );
    if (!ready) {
      const stuck = [...dependsOn.keys()].filter((key) => !done.has(key));
      throw new BadRequestError('programs', `dependency cycle among ${stuck.join(', ')}`);
    }
    order.push(ready[0]);
    done.add(ready[0]);
  }
  return order;
}

export async function applyPlan(
  supervisor: Supervisor,
  plan: Plan,
  desired: readonly ProgramSpec[],
  timeoutMs = DEPENDENCY_TIMEOUT_MS,
): Promise<void> {
  const specs = new Map(desired.map((spec) => [spec.name, spec]));
  for (const action of plan.actions) if (action.action === 'remove') await supervisor.delete(action.name);
  // Creates and starts wait here until the next await, then go to the database in one transaction.
  const pending: (() => void)[] = [];
  const flush = () => supervisor.batch(pending.splice(0));
  for (const key of getStartOrder(desired)) {
    const actions = plan.actions.filter((action) => {
      const spec = specs.get(action.name);
      return spec && keyOf(spec) === key && action.action !== 'remove' && action.action !== 'unchanged';
    });
    if (actions.length === 0) continue;
    const dependencies = desired.find((spec) => keyOf(spec) === key)?.dependsOn ?? [];
    if (actions.some(startsSomething) && dependencies.length > 0) {
      flush();
      for (const dependency of dependencies) await waitForDependency(supervisor, key, dependency, timeoutMs);
    }
    for (const [index, action] of actions.entries()) {
      const spec = specs.get(action.name) as ProgramSpec;
      if (action.action === 'create') pending.push(() => supervisor.create(spec, action.start));
      else if (action.action === 'start') pending.push(() => supervisor.start(action.name));
      else if (action.action === 'update') {
        flush();
        await supervisor.delete(action.name, { keepSockets: spec.sockets.length > 0 });
        supervisor.create(spec, action.start);
        // A rolling replacement: the next instance goes only once this one runs.
        if (action.start && index < actions.length - 1)
          await waitForRunning(supervisor, action.name, key, action.name, timeoutMs);
      }
    }
  }
  flush();
}

function startsSomething(action: PlanAction): boolean {
  return (
    action.action === 'start' || ((action.action === 'create' || action.action === 'update') && action.start)
  );
}

async function waitForDependency(
  supervisor: Supervisor,
  program: string,
  dependency: string,
  timeoutMs: number,
): Promise<void> {
  const instances = supervisor
    .list()
    .filter((snapshot) => (snapshot.spec.instanceOf ?? snapshot.spec.name) === dependency);
  if (instances.length === 0) throw new DependencyFailedError(program, dependency, 'does not exist');
  for (const instance of instances)
    await waitForRunning(supervisor, instance.spec.name, program, dependency, timeoutMs);
}

async function waitForRunning(
  supervisor: Supervisor,
  name: string,
  program: string,
  dependency: string,
  timeoutMs: number,
): Promise<void> {
  const settled = await supervisor
    .waitForState(
      name,
      (state, snapshot) =>
        state === 'running' ||
        state === 'fatal' ||
        state === 'exited' ||
        state === 'stopped' ||
        snapshot.consecutiveFailures >= DEPENDENCY_FAILURES,
      timeoutMs,
    )
    .catch((error: unknown) => {
      const now = supervisor.get(name);
      throw new DependencyFailedError(
        program,
        dependency,
        `is still ${now.state} after ${timeoutMs} ms (tend up --dependency-timeout sets how long to wait)`,
        error,
      );
    });
  if (settled.state !== 'running') {
    const failing = settled.consecutiveFailures >= DEPENDENCY_FAILURES && settled.state !== 'fatal';
    throw new DependencyFailedError(
      program,
      dependency,
      `${failing ? `is failing: ${settled.consecutiveFailures} failed starts in a row, now ${settled.state}` : `is ${settled.state}`}${settled.reason ? ` (${settled.reason})` : ''}`,
    );
  }
}
