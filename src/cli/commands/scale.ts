import { BadArgumentError } from '../../errors.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { print, printJson } from '../output.js';

// `tend scale NAME N`: grows or shrinks a program's instances without touching the running ones.

export const scaleCommand: Command = async (args, { api }) => {
  const { values, positionals } = parseCommandArgs('scale', args, { json: { type: 'boolean' } });
  const [name, countText, extra] = positionals;
  if (!name || countText === undefined) throw new BadArgumentError('scale: usage is tend scale NAME COUNT');
  if (extra) throw new BadArgumentError(`scale: unexpected argument "${extra}"`);
  if (!/^\d+$/.test(countText))
    throw new BadArgumentError(`scale: COUNT must be a whole number, got "${countText}"`);
  const result = await api.call<{ created: string[]; removed: string[] }>(
    'POST',
    `/programs/${encodeURIComponent(name)}/scale`,
    { instances: Number(countText) },
  );
  if (values.json) printJson(result);
  else {
    const lines = [
      ...result.created.map((n) => `${n}: started`),
      ...result.removed.map((n) => `${n}: removed`),
    ];
    print(lines.length > 0 ? lines.join('\n') : `${name}: already at ${countText}`);
  }
  return 0;
};
