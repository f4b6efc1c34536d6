import type * as z from 'zod';
import { formatDidYouMean } from '../did-you-mean.js';
import { getKnownKeys, PROGRAM_ONLY_KEYS } from './file-schema.js';
import { describeValue, getValueAt, type Path, type Problem } from './problems.js';

// Turns zod issues into problems that say what was expected and what was found.

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  record: 'a map',
  null: 'null',
};

function toPath(path: readonly PropertyKey[]): Path {
  return path.map((key) => (typeof key === 'number' ? key : String(key)));
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  if (issue.origin === 'array')
    return `${small ? 'at least' : 'at most'} ${bound} item${bound === 1 ? '' : 's'}`;
  if (issue.origin === 'string') return small && bound === 1 ? 'a non-empty string' : `${bound} characters`;
  const sign = small ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
  return `a number ${sign} ${bound}`;
}

function describeExpected(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('expected ')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}`
        : `expected one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
    case 'too_big':
      return `expected ${describeBound(issue)}`;
    default:
      return `expected a valid value (${issue.message})`;
  }
}

function getUnknownKeyMessage(key: string, parent: Path): string {
  if (parent.length === 1 && parent[0] === 'defaults' && PROGRAM_ONLY_KEYS.includes(key)) {
    return `expected a key allowed in defaults, found "${key}" (it can only be set on each program)`;
  }
  const known = getKnownKeys(parent);
  const didYouMean = formatDidYouMean(key, known);
  if (didYouMean !== '' || known.length === 0) return `expected a known key, found "${key}"${didYouMean}`;
  return `expected one of ${known.join(', ')}, found "${key}"`;
}

/** One issue as "expected …, found …" (an API request's problem: the caller names where). */
export function describeZodIssue(issue: z.core.$ZodIssue, data: unknown): string {
  if (issue.code === 'unrecognized_keys')
    return `expected a known key, found ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  return `${describeExpected(issue)}, found ${describeValue(getValueAt(data, toPath(issue.path)))}`;
}

export function getZodProblems(error: z.ZodError, data: unknown, prefix: Path = []): Problem[] {
  return error.issues.flatMap((issue): Problem[] => {
    const path = [...prefix, ...toPath(issue.path)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...path, key],
        at: 'key',
        message: getUnknownKeyMessage(key, path),
      }));
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues[0];
      const expected = inner?.message.startsWith('expected ') ? inner.message : 'expected a valid key';
      return [{ path, at: 'key', message: `${expected}, found ${JSON.stringify(path.at(-1))}` }];
    }
    const found = describeValue(getValueAt(data, toPath(issue.path)));
    return [{ path, message: `${describeExpected(issue)}, found ${found}` }];
  });
}
