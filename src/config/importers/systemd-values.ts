import { UnclosedQuoteError } from './shell-words.js';

// Values as systemd reads them: time spans (a bare number is seconds), and command lines split into
// words with its quoting, C escapes, `$VAR`/`${VAR}` expansion and `%` specifiers.

const SPAN_UNITS: [RegExp, number][] = [
  [/^(us|usec|µs)$/, 0.001],
  [/^(ms|msec)$/, 1],
  [/^(s|sec|second|seconds|)$/, 1000],
  [/^(m|min|minute|minutes)$/, 60_000],
  [/^(h|hr|hour|hours)$/, 3_600_000],
  [/^(d|day|days)$/, 86_400_000],
  [/^(w|week|weeks)$/, 604_800_000],
];

/** `10`, `10s`, `1min 30s`, `500ms` → milliseconds; `infinity` → Infinity; undefined when unreadable. */
export function parseTimeSpan(text: string): number | undefined {
  const value = text.trim();
  if (value === 'infinity') return Number.POSITIVE_INFINITY;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)\s*([A-Za-zµ]*)\s*/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== value) return undefined;
  let total = 0;
  for (const [, number, unit = ''] of parts) {
    const factor = SPAN_UNITS.find(([pattern]) => pattern.test(unit))?.[1];
    if (factor === undefined) return undefined;
    total += Number(number) * factor;
  }
  return Math.round(total);
}

/** A piece of a word: literal text, or a variable systemd expands at run time. */
export type WordPart = { text: string } | { variable: string; braced: boolean };

export interface SplitContext {
  /** The unit's name: `web@.service`, for %n, %N, %p. */
  unit: string;
  /** Expand `$VAR` (ExecStart=) or not (Environment=). */
  variables: boolean;
  /** Specifiers with no tend equivalent, kept as written. */
  unknownSpecifiers: Set<string>;
}

const C_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  s: ' ',
};

function getSpecifier(char: string, context: SplitContext): WordPart {
  const base = context.unit.replace(/\.[a-z]+$/, '');
  const prefix = base.replace(/@.*$/, '');
  switch (char) {
    case '%':
      return { text: '%' };
    case 'i':
    case 'I':
      return { variable: 'TEND_INSTANCE', braced: true };
    case 'n':
      return { text: context.unit };
    case 'N':
      return { text: base };
    case 'p':
    case 'P':
      return { text: prefix };
    case 'h':
      return { variable: 'HOME', braced: true };
    case 'u':
      return { variable: 'USER', braced: true };
    default:
      context.unknownSpecifiers.add(`%${char}`);
      return { text: `%${char}` };
  }
}

/** Splits a systemd command line (or Environment= list) into words of parts. */
export function splitUnitWords(text: string, context: SplitContext): WordPart[][] {
  const words: WordPart[][] = [];
  let word: WordPart[] | null = null;
  let quote: string | null = null;
  const add = (part: WordPart) => {
    word ??= [];
    const last = word.at(-1);
    if ('text' in part && last && 'text' in last) last.text += part.text;
    else word.push(part);
  };
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    const next = text[index + 1] ?? '';
    if (quote === null && /\s/.test(char)) {
      if (word) words.push(word);
      word = null;
    } else if ((char === '"' || char === "'") && (quote === null || quote === char)) {
      quote = quote === null ? char : null;
      word ??= [];
    } else if (char === '\\' && next !== '') {
      const hex = next === 'x' ? /^[0-9a-fA-F]{2}/.exec(text.slice(index + 2)) : null;
      add({ text: hex ? String.fromCharCode(Number.parseInt(hex[0], 16)) : (C_ESCAPES[next] ?? next) });
      index += hex ? 3 : 1;
    } else if (char === '%' && next !== '') {
      add(getSpecifier(next, context));
      index += 1;
    } else if (char === '$' && context.variables && next === '$') {
      add({ text: '$' });
      index += 1;
    } else if (char === '$' && context.variables && next === '{') {
      const end = text.indexOf('}', index);
      if (end === -1) add({ text: char });
      else {
        add({ variable: text.slice(index + 2, end), braced: true });
        index = end;
      }
    } else if (char === '$' && context.variables && word === null && /^[A-Za-z_]/.test(next)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(index + 1))?.[0] as string;
      add({ variable: name, braced: false });
      index += name.length;
    } else {
      add({ text: char });
    }
  }
  if (quote !== null) throw new UnclosedQuoteError(quote === '"' ? 'double' : 'single');
  if (word) words.push(word);
  return words;
}

/** The word as plain text, or null when a part is expanded at run time. */
export function getPlainWord(word: WordPart[]): string | null {
  if (word.length === 0) return '';
  return word.every((part) => 'text' in part)
    ? word.map((part) => (part as { text: string }).text).join('')
    : null;
}

const SHELL_PLAIN = /^[A-Za-z0-9_./:=@%+,-]+$/;

function quoteShell(text: string): string {
  return SHELL_PLAIN.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** Words as a /bin/sh command that expands the same variables at run time. */
export function toShellCommand(words: WordPart[][]): string {
  return words
    .map((word) => {
      const [only] = word;
      if (word.length === 1 && only && 'variable' in only && !only.braced) return `$${only.variable}`;
      if (word.length === 0) return "''";
      return word.map((part) => ('text' in part ? quoteShell(part.text) : `"\${${part.variable}}"`)).join('');
    })
    .join(' ');
}
