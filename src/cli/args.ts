import { type ParseArgsConfig, parseArgs } from 'node:util';
import { BadArgumentError } from '../errors.js';

// util.parseArgs (built in, nothing to load) with its errors turned into one-line usage errors.

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs<T extends Options> {
  values: {
    [K in keyof T]?: T[K] extends { type: 'boolean' }
      ? boolean
      : T[K] extends { multiple: true }
        ? string[]
        : string;
  };
  positionals: string[];
  /** Words after `--`, when there was one. */
  rest: string[] | null;
}

export function parseCommandArgs<T extends Options>(
  command: string,
  args: string[],
  options: T,
): ParsedArgs<T> {
  const separator = args.indexOf('--');
  const head = separator === -1 ? args : args.slice(0, separator);
  const rest = separator === -1 ? null : args.slice(separator + 1);
  try {
    const parsed = parseArgs({ args: head, options, allowPositionals: true, strict: true });
    return { values: parsed.values as ParsedArgs<T>['values'], positionals: parsed.positionals, rest };
  } catch (error) {
    // Some parseArgs messages add hint lines; the first line says what was wrong.
    const [first = ''] = (error as Error).message.split('\n');
    const message = first.replace(/\. To specify a positional argument.*$/, '');
    throw new BadArgumentError(`${command}: ${message}`);
  }
}

export function requireOne(command: string, positionals: string[], what: string): string {
  const [first, ...extra] = positionals;
  if (!first) throw new BadArgumentError(`${command}: missing ${what}`);
  if (extra.length > 0) throw new BadArgumentError(`${command}: unexpected argument "${extra[0]}"`);
  return first;
}
