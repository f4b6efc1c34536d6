import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';

// `tend startup [systemd|launchd] [--user|--system] [--run-as USER] [--dry-run|--check] [--json]`
// and `tend unstartup [...]`. The work is in startup/ (a chunk loaded only here).

const OPTIONS = {
  user: { type: 'boolean' },
  system: { type: 'boolean' },
  'run-as': { type: 'string' },
  'dry-run': { type: 'boolean' },
  check: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const startupCommand: Command = async (args, context) => {
  const parsed = parseCommandArgs('startup', args, OPTIONS);
  const { runStartup } = await import('./startup-run.js');
  return runStartup('startup', parsed, context);
};

export const unstartupCommand: Command = async (args, context) => {
  const parsed = parseCommandArgs('unstartup', args, {
    user: OPTIONS.user,
    system: OPTIONS.system,
    'run-as': OPTIONS['run-as'],
    'dry-run': OPTIONS['dry-run'],
    json: OPTIONS.json,
  });
  const { runStartup } = await import('./startup-run.js');
  return runStartup('unstartup', parsed, context);
};
