import { type ParseArgsConfig, parseArgs } from 'node:util';
import { findClosest } from '../did-you-mean.js';
import { BadArgumentError } from '../errors.js';
import { printWarning } from './output.js';

// util.parseArgs (built in, nothing to load) with its errors turned into one-line usage errors that
// suggest the flag that was meant.

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

/** `-name` where `--name` exists: parseArgs reads it as `-n ame`, which is rarely what was meant. */
const SINGLE_DASH_WORD = /^-([A-Za-z][A-Za-z-]+)(?:=.*)?$/;

export function parseCommandArgs<T extends Options>(
  command: string,
  args: string[],
  options: T,
): ParsedArgs<T> {
  const separator = args.indexOf('--');
  const head = separator === -1 ? args : args.slice(0, separator);
  const rest = separator === -1 ? null : args.slice(separator + 1);
  const longNames = Object.keys(options);
  try {
    const parsed = parseArgs({ args: head, options, allowPositionals: true, strict: true });
    for (const word of head) {
      const spelt = SINGLE_DASH_WORD.exec(word)?.[1];
      if (spelt !== undefined && longNames.includes(spelt)) {
        printWarning(
          `${command}: "${word}" was read as -${spelt[0]} ${spelt.slice(1)}; for the option write --${spelt}`,
        );
      }
    }
    return { values: parsed.values as ParsedArgs<T>['values'], positionals: parsed.positionals, rest };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const unknown = /'([^']+)'/.exec(message)?.[1] ?? '';
      throw new BadArgumentError(`${command}: unknown option ${describeUnknown(unknown, head, options)}`);
    }
    // Some parseArgs messages add hint lines; the first line says what was wrong.
    const [first = ''] = message.split('\n');
    throw new BadArgumentError(`${command}: ${first.replace(/\. To specify a positional argument.*$/, '')}`);
  }
}

function describeUnknown(unknown: string, head: string[], options: Options): string {
  const longNames = Object.keys(options);
  if (unknown.startsWith('--')) {
    const word = unknown.slice(2).split('=')[0] ?? '';
    const closest = findClosest(word, longNames);
    return `${unknown}${closest === undefined ? '' : ` (did you mean "--${closest}"?)`}`;
  }
  // A short flag that does not exist, from a cluster like `-dry-run`: name the cluster.
  const cluster = head.find((word) => SINGLE_DASH_WORD.test(word) && word.startsWith(unknown)) ?? unknown;
  const spelt = cluster.slice(1).split('=')[0] ?? '';
  const closest = spelt.length > 1 ? findClosest(spelt, longNames) : undefined;
  return `${cluster}${closest === undefined ? '' : ` (did you mean "--${closest}"?)`}`;
}

export function requireOne(command: string, positionals: string[], what: string): string {
  const [first, ...extra] = positionals;
  if (!first) throw new BadArgumentError(`${command}: missing ${what}`);
  if (extra.length > 0) throw new BadArgumentError(`${command}: unexpected argument "${extra[0]}"`);
  return first;
}
