import { BadArgumentError } from '../../errors.js';
import { normalizeSignal } from '../../signals.js';
import { parseCommandArgs, requireOne } from '../args.js';
import type { Command } from '../context.js';
import { formatStates, type ProgramRow, print, printJson } from '../output.js';

// `tend stop|restart NAME|all`, `tend delete NAME|all`, `tend signal SIG NAME`.

const JSON_ONLY = { json: { type: 'boolean' } } as const;

function lifecycleCommand(action: 'stop' | 'restart' | 'reload'): Command {
  return async (args, { api }) => {
    const { values, positionals } = parseCommandArgs(action, args, JSON_ONLY);
    const name = requireOne(action, positionals, 'a program name (or "all")');
    const rows = await api.call<ProgramRow[]>('POST', `/programs/${encodeURIComponent(name)}/${action}`);
    if (values.json) printJson(rows);
    else print(rows.length > 0 ? formatStates(rows) : 'no programs');
    return 0;
  };
}

export const stopCommand = lifecycleCommand('stop');
export const restartCommand = lifecycleCommand('restart');
/** `tend reload NAME|all`: the reload signal, or a new process on the held sockets (docs/reload.md). */
export const reloadCommand = lifecycleCommand('reload');

export const deleteCommand: Command = async (args, { api }) => {
  const { values, positionals } = parseCommandArgs('delete', args, JSON_ONLY);
  const name = requireOne('delete', positionals, 'a program name (or "all")');
  const result = await api.call<{ deleted: string[] }>('DELETE', `/programs/${encodeURIComponent(name)}`);
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
  const [signalText, name, extra] = positionals;
  if (!signalText || !name) throw new BadArgumentError('signal: usage is tend signal SIGNAL NAME');
  if (extra) throw new BadArgumentError(`signal: unexpected argument "${extra}"`);
  const signal = normalizeSignal(signalText);
  if (!signal) throw new BadArgumentError(`signal: unknown signal "${signalText}"`);
  const row = await api.call<ProgramRow>('POST', `/programs/${encodeURIComponent(name)}/signal`, { signal });
  if (values.json) printJson(row);
  else print(`${name}: sent ${signal} to pid ${row.pid}`);
  return 0;
};
