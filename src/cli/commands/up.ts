import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { paint, print, printError, printJson } from '../output.js';

// `tend up [NAMES...] [-f FILE] [--dry-run] [--json]` and `tend down [NAMES...] [-f FILE] [--json]`.
// The config loader (YAML, zod, esbuild for .ts) is loaded only here, as a separate chunk.

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

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const upCommand: Command = async (args, { api }) => {
  const { values, positionals } = parseCommandArgs('up', args, OPTIONS);
  const { loadConfig } = await import('../../config/load.js');
  const config = await loadConfig({ file: values.file, cwd: process.cwd(), env: process.env });
  const dryRun = values['dry-run'] === true;
  const result = await api.call<{
    plan: { source: string; actions: PlanAction[] };
    applied: boolean;
    notStarted: { name: string; state: string; reason: string | null }[];
  }>('POST', '/apply', {
    source: config.path,
    programs: config.programs,
    only: positionals.length > 0 ? positionals : null,
    dryRun,
  });
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
    .map((action) => {
      const verb = dryRun ? action.action : pastTense(action);
      const detail = action.changed?.length ? ` (${action.changed.join(', ')})` : '';
      const stopped =
        (action.action === 'create' || action.action === 'update') && action.start === false
          ? ', not started'
          : '';
      return `  ${action.name.padEnd(width)}  ${paint(verb, ACTION_COLORS[action.action])}${detail}${stopped}`;
    })
    .join('\n');
}

function pastTense(action: PlanAction): string {
  const words: Record<PlanAction['action'], string> = {
    create: 'created',
    update: 'restarted with changes',
    start: 'started',
    unchanged: 'unchanged',
    remove: 'stopped and removed',
  };
  return words[action.action];
}
