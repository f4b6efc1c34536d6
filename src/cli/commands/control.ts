import { BadArgumentError } from '../../errors.js';
import { normalizeSignal } from '../../signals.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { formatStates, type ProgramRow, print, printJson } from '../output.js';
import { waitUntilRunning } from '../wait-start.js';

// `tend stop|restart|reload|delete NAME...|all`, `tend signal SIG NAME...`. A NAME is a program (all its
// instances), an instance (web-2) or `all`; the daemon resolves them.

const JSON_ONLY = { json: { type: 'boolean' } } as const;

/** Several names travel as one comma-separated path segment (names never contain a comma). */
export function getTargetPath(command: string, names: string[]): string {
  if (names.length === 0) throw new BadArgumentError(`${command}: missing a program name (or "all")`);
  return encodeURIComponent(names.join(','));
}

function simpleCommand(action: 'stop' | 'reload'): Command {
  return async (args, { api }) => {
    const { values, positionals } = parseCommandArgs(action, args, JSON_ONLY);
    const path = `/programs/${getTargetPath(action, positionals)}/${action}`;
    const rows = await api.call<ProgramRow[]>('POST', path);
    if (values.json) printJson(rows);
    else print(rows.length > 0 ? formatStates(rows) : 'no programs');
    return 0;
  };
}

export const stopCommand = simpleCommand('stop');
/** `tend reload NAME...|all`: the reload signal, or a new process on the held sockets (docs/reload.md). */
export const reloadCommand = simpleCommand('reload');

export const restartCommand: Command = async (args, { api }) => {
  const { values, positionals } = parseCommandArgs('restart', args, {
    ...JSON_ONLY,
    'no-wait': { type: 'boolean' },
  });
  const path = `/programs/${getTargetPath('restart', positionals)}/restart`;
  const rows = await api.call<ProgramRow[]>('POST', path);
  const final = values['no-wait'] ? rows : await waitUntilRunning(api, rows, { quiet: values.json === true });
  if (values.json) printJson(final);
  else print(final.length > 0 ? formatStates(final) : 'no programs');
  return 0;
};

export const deleteCommand: Command = async (args, { api }) => {
  const { values, positionals } = parseCommandArgs('delete', args, JSON_ONLY);
  const result = await api.call<{ deleted: string[] }>(
    'DELETE',
    `/programs/${getTargetPath('delete', positionals)}`,
  );
  if (values.json) printJson(result);
  else
    print(
      result.deleted.length > 0
        ? result.deleted.map((deleted) => `${deleted}: deleted`).join('\n')
        : 'no programs',
    );
  return 0;
};

export const signalCommand: Command = async (args, { api }) => {
  const { values, positionals } = parseCommandArgs('signal', args, JSON_ONLY);
  const [signalText, ...names] = positionals;
  if (!signalText || names.length === 0)
    throw new BadArgumentError('signal: usage is tend signal SIGNAL NAME...');
  const signal = normalizeSignal(signalText);
  if (!signal) throw new BadArgumentError(`signal: unknown signal "${signalText}"`);
  const rows = await api.call<ProgramRow[]>('POST', `/programs/${getTargetPath('signal', names)}/signal`, {
    signal,
  });
  if (values.json) printJson(rows);
  else print(rows.map((row) => `${row.name}: sent ${signal} to pid ${row.pid}`).join('\n'));
  return 0;
};
