import { isAbsolute } from 'node:path';
import * as z from 'zod';
import { type ProgramSpec, programInputSchema, programNameSchema } from '../config/program-schema.js';
import { applyPlan, DEPENDENCY_TIMEOUT_MS, getStartOrder } from '../deploy/apply.js';
import { computePlan, withDependencies } from '../deploy/plan.js';
import { scaleProgram } from '../deploy/scale.js';
import { BadRequestError, type ErrorCode, type ProgramProblem, ProgramProblemsError } from '../errors.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { parseDuration } from '../units.js';
import type { AppDeps } from './deps.js';
import { getTarget } from './program-routes.js';
import type { Route } from './router.js';
import { parseOrThrow } from './schemas.js';

// The declarative side of the API: apply a file's programs (tend up), take them down, scale.

const applyBody = z.strictObject({
  source: z.string().refine(isAbsolute, 'must be an absolute path'),
  programs: z.array(z.unknown()).max(10_000),
  only: z.array(programNameSchema).nullable().default(null),
  dryRun: z.boolean().default(false),
  /** How long to wait for a dependency to run (tend up --dependency-timeout). */
  dependencyTimeout: z
    .union([z.string(), z.number()])
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined || ms === 0) {
        ctx.addIssue({ code: 'custom', message: 'expected a duration like 30s or 5m' });
        return z.NEVER;
      }
      return ms;
    })
    .default(DEPENDENCY_TIMEOUT_MS),
});

const downBody = z.strictObject({
  source: z.string().refine(isAbsolute, 'must be an absolute path'),
  only: z.array(programNameSchema).nullable().default(null),
});

export const scaleBody = z.strictObject({ instances: z.number().int() });

/** Validates every program before anything changes: a file with any error changes nothing. */
function parsePrograms(source: string, programs: unknown[], supervisor: Supervisor): ProgramSpec[] {
  const specs = programs.map((program, index) => {
    const input = parseOrThrow(programInputSchema, program, `body.programs[${index}]`);
    if (!input.cwd || !isAbsolute(input.cwd)) {
      throw new BadRequestError(`body.programs[${index}].cwd`, 'must be an absolute path');
    }
    return { ...input, cwd: input.cwd, source };
  });
  const names = new Set<string>();
  const problems: ProgramProblem[] = [];
  let code: ErrorCode | null = null;
  for (const spec of specs) {
    if (names.has(spec.name)) throw new BadRequestError('body.programs', `"${spec.name}" is declared twice`);
    names.add(spec.name);
    for (const { key, error } of supervisor.check(spec)) {
      code ??= error.code;
      problems.push({ program: spec.name, key, message: error.message });
    }
  }
  // Every program that cannot start as declared, each with its key: the CLI names their positions.
  if (code !== null) throw new ProgramProblemsError(problems, code);
  getStartOrder(specs);
  return specs;
}

export async function applyRoute(supervisor: Supervisor, body: unknown) {
  const request = parseOrThrow(applyBody, body, 'body');
  const desired = parsePrograms(request.source, request.programs, supervisor);
  const keys = new Set(desired.map((spec) => spec.instanceOf ?? spec.name));
  for (const name of request.only ?? []) {
    if (!keys.has(name))
      throw new BadRequestError('body.only', `"${name}" is not declared in ${request.source}`);
  }
  const selection = request.only ? withDependencies(desired, request.only) : null;
  const plan = computePlan(supervisor.list(), desired, request.source, selection);
  if (request.dryRun) return { plan, applied: false, notStarted: [] };
  await applyPlan(supervisor, plan, desired, request.dependencyTimeout);
  // A failed exec is reported on the next tick: let it arrive before looking.
  await new Promise((resolve) => setImmediate(resolve));
  return { plan, applied: true, notStarted: findNotStarted(supervisor, plan) };
}

/**
 * Programs the plan started that are not on their way: fatal at once (a spawn that cannot work), or
 * waiting to retry a spawn the system was too short of fds or processes for. `tend up` names them.
 */
function findNotStarted(supervisor: Supervisor, plan: ReturnType<typeof computePlan>) {
  const started = new Set(
    plan.actions
      .filter(
        (action) =>
          action.action === 'start' ||
          ((action.action === 'create' || action.action === 'update') && action.start),
      )
      .map((action) => action.name),
  );
  return supervisor
    .list()
    .filter((snapshot) => started.has(snapshot.spec.name))
    .filter(
      (snapshot) =>
        snapshot.state === 'fatal' ||
        (snapshot.state === 'backoff' && snapshot.runtime.pid === null && snapshot.reason?.includes('spawn')),
    )
    .map((snapshot) => ({ name: snapshot.spec.name, state: snapshot.state, reason: snapshot.reason }));
}

export async function downRoute(supervisor: Supervisor, body: unknown) {
  const request = parseOrThrow(downBody, body, 'body');
  const owned = supervisor.list().filter((snapshot) => snapshot.spec.source === request.source);
  const selected = request.only
    ? owned.filter((snapshot) => request.only?.includes(snapshot.spec.instanceOf ?? snapshot.spec.name))
    : owned;
  // Dependents go first: stop in the reverse of the start order.
  const order = getStartOrder(owned.map((snapshot) => snapshot.spec)).reverse();
  const deleted: string[] = [];
  for (const key of order) {
    for (const snapshot of selected.filter((s) => (s.spec.instanceOf ?? s.spec.name) === key)) {
      deleted.push(...(await supervisor.delete(snapshot.spec.name)));
    }
  }
  return { deleted };
}

export function scaleRoute(supervisor: Supervisor, key: string, body: unknown) {
  const request = parseOrThrow(scaleBody, body, 'body');
  return scaleProgram(supervisor, key, request.instances);
}

export function getConfigRoutes({ supervisor }: AppDeps): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/apply$/,
      handler: (_params, request) => applyRoute(supervisor, request.body),
    },
    {
      method: 'POST',
      pattern: /^\/down$/,
      handler: (_params, request) => downRoute(supervisor, request.body),
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/scale$/,
      // A program key as written in the file (its instances are what scale changes).
      handler: (params, request) => scaleRoute(supervisor, getTarget(params), request.body),
    },
  ];
}
