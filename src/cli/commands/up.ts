import { ApiError } from '../../api/client.js';
import type { RunProblem } from '../../config/load.js';
import { BadArgumentError, TendError } from '../../errors.js';
import { parseCommandArgs } from '../args.js';
import type { Connection } from '../connection.js';
import type { Command } from '../context.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { formatExit, type ProgramRow, paint, print, printError, printJson } from '../output.js';

// `tend up [NAMES...] [-f FILE] [--dry-run] [--dependency-timeout DUR] [--json]` and
// `tend down [NAMES...] [-f FILE] [--json]`. The config loader (YAML, zod, esbuild for .ts) is
// loaded only here, as a separate chunk.

interface PlanAction {
  action: 'create' | 'update' | 'start' | 'unchanged' | 'remove';
  name: string;
  changed?: string[];
  start?: boolean;
}

const ACTION_COLORS: Record<PlanAction['action'], string> = {
  create: '32',
  update: '33',
  start: '36',
  unchanged: '90',
  remove: '31',
};

const PROGRESS_INTERVAL_MS = 1000;

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  'dry-run': { type: 'boolean' },
  'dependency-timeout': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const upCommand: Command = async (args, { api }) => {
  const { values, positionals } = parseCommandArgs('up', args, OPTIONS);
  const { loadConfig } = await import('../../config/load.js');
  const config = await loadConfig({ file: values.file, cwd: process.cwd(), env: process.env });
  const dryRun = values['dry-run'] === true;
  // Programs run with the caller's PATH (an activated venv, nvm), unless they set their own.
  const callerPath = process.env.PATH;
  const programs = config.programs.map((program) =>
    callerPath === undefined || program.env?.PATH !== undefined
      ? program
      : { ...program, env: { ...program.env, PATH: callerPath } },
  );
  const progress = dryRun || values.json ? null : watchDependencies(api, programs);
  let result: {
    plan: { source: string; actions: PlanAction[] };
    applied: boolean;
    notStarted: { name: string; state: string; reason: string | null }[];
  };
  try {
    result = await api.call('POST', '/apply', {
      source: config.path,
      programs,
      only: positionals.length > 0 ? positionals : null,
      dryRun,
      ...(values['dependency-timeout'] === undefined
        ? {}
        : { dependencyTimeout: values['dependency-timeout'] }),
    });
  } catch (error) {
    // The file's positions for what the daemon found, with the exit status of the first problem.
    if (error instanceof ApiError && error.problems.length > 0)
      throw new TendError(error.code, config.describeRunProblems(error.problems as RunProblem[]).message);
    if (error instanceof ApiError && error.field === 'body.dependencyTimeout')
      throw new BadArgumentError(`up: --dependency-timeout: ${error.problem}`);
    throw error;
  } finally {
    progress?.stop();
  }
  // A program that could not be started is a failure of `up`, even while it is being retried.
  const status = result.notStarted.length > 0 ? EXIT_FAILURE : 0;
  if (values.json) {
    printJson(result);
    return status;
  }
  print(`${dryRun ? 'plan for' : 'applied'} ${config.path}:`);
  print(formatPlan(result.plan.actions, dryRun));
  for (const program of result.notStarted) {
    const what = program.state === 'fatal' ? 'failed to start' : 'not started yet, retrying';
    printError(`${program.name}: ${what}: ${program.reason ?? 'no reason recorded'}`);
  }
  return status;
};

/**
 * While the daemon waits for dependencies to run, says once a second what each is doing
 * ("waiting for broker: backoff, 3 failed starts, last exit 1"), whenever that changes.
 */
function watchDependencies(
  api: Connection,
  programs: readonly { name: string; instanceOf: string; dependsOn?: string[] }[],
): { stop(): void } {
  const dependencies = new Set(programs.flatMap((program) => program.dependsOn ?? []));
  if (dependencies.size === 0) return { stop() {} };
  const keyOf = new Map(programs.map((program) => [program.name, program.instanceOf]));
  const dependents = (key: string) =>
    programs.filter((program) => program.dependsOn?.includes(key)).map((program) => program.name);
  const said = new Map<string, string>();
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    const rows = await api.call<ProgramRow[]>('GET', '/programs').catch(() => [] as ProgramRow[]);
    const running = new Set(rows.filter((row) => row.state === 'running').map((row) => row.name));
    for (const row of rows) {
      const key = keyOf.get(row.name);
      if (stopped || key === undefined || !dependencies.has(key) || row.state === 'running') continue;
      if (dependents(key).every((name) => running.has(name))) continue;
      const failures = row.consecutiveFailures > 0 ? `, ${row.consecutiveFailures} failed starts` : '';
      const last = row.exitCode !== null || row.signal ? `, last exit ${formatExit(row)}` : '';
      const line = `waiting for ${row.name}: ${row.state}${failures}${last}`;
      if (said.get(row.name) !== line) print(line);
      said.set(row.name, line);
    }
    if (!stopped) timer = setTimeout(tick, PROGRESS_INTERVAL_MS);
  };
  let timer = setTimeout(tick, PROGRESS_INTERVAL_MS);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export const downCommand: Command = async (args, { api }) => {
  const { values, positionals } = parseCommandArgs('down', args, { file: OPTIONS.file, json: OPTIONS.json });
  const { findConfigFile } = await import('../../config/load.js');
  const path = await findConfigFile({ file: values.file, cwd: process.cwd() });
  const result = await api.call<{ deleted: string[] }>('POST', '/down', {
    source: path,
    only: positionals.length > 0 ? positionals : null,
  });
  if (values.json) printJson(result);
  else
    print(
      result.deleted.length > 0
        ? result.deleted.map((name) => `${name}: stopped and removed`).join('\n')
        : 'nothing to take down',
    );
  return 0;
};

function formatPlan(actions: PlanAction[], dryRun: boolean): string {
  if (actions.length === 0) return '  nothing declared';
  const width = Math.max(...actions.map((action) => action.name.length));
  return actions
    .map((action) => `  ${action.name.padEnd(width)}  ${describeAction(action, dryRun)}`)
    .join('\n');
}

/** "restarted with changes (env)", "stopped (autostart: false)", "created, not started (autostart: false)". */
function describeAction(action: PlanAction, dryRun: boolean): string {
  const verb = paint(dryRun ? action.action : pastTense(action.action), ACTION_COLORS[action.action]);
  if (action.action === 'update' && action.start === false) {
    const others = (action.changed ?? []).filter((key) => key !== 'autostart');
    const stop = paint(dryRun ? 'stop' : 'stopped', ACTION_COLORS.update);
    return others.length === 0
      ? `${stop} (autostart: false)`
      : `${paint(dryRun ? 'update' : 'updated', ACTION_COLORS.update)} (${others.join(', ')}), ${dryRun ? 'not started' : 'stopped'} (autostart: false)`;
  }
  const detail = action.changed?.length ? ` (${action.changed.join(', ')})` : '';
  const notStarted =
    action.action === 'create' && action.start === false ? ', not started (autostart: false)' : '';
  return `${verb}${detail}${notStarted}`;
}

function pastTense(action: PlanAction['action']): string {
  const words: Record<PlanAction['action'], string> = {
    create: 'created',
    update: 'restarted with changes',
    start: 'started',
    unchanged: 'unchanged',
    remove: 'stopped and removed',
  };
  return words[action];
}
