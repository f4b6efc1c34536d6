import { ConfigError } from '../errors.js';

// A problem found in a config file, and how a list of them becomes one ConfigError whose lines read
// `FILE:LINE:COL: programs.api.restart: expected …, found …`.

export type Path = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

/** Where the key (or the value) at a path was written, if the format keeps positions. */
export type Locate = (path: Path, at: 'key' | 'value') => Position | undefined;

export interface Problem {
  path: Path;
  /** "expected …, found …" (or a parser's own message). */
  message: string;
  /** Point at the key (an unknown key) or at its value (the default). */
  at?: 'key' | 'value';
  /** Set when the position is known without a lookup (syntax errors). */
  position?: Position;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `programs.api.dependsOn[0]`; keys that are not plain words are quoted: `env["A.B"]`. */
export function formatPath(path: Path): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (PLAIN_KEY.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text;
}

/** How a found value reads in a message: strings quoted, lists and maps by kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'function') return 'a function';
  if (value !== null && typeof value === 'object') return 'a map';
  return String(value);
}

export function getValueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

export function formatProblem(problem: Problem, file: string, locate?: Locate): string {
  const position = problem.position ?? locate?.(problem.path, problem.at ?? 'value');
  const where = position ? `${file}:${position.line}:${position.col}` : file;
  const path = formatPath(problem.path);
  return path === '' ? `${where}: ${problem.message}` : `${where}: ${path}: ${problem.message}`;
}

/** One error listing every problem, one per line, in the order they appear in the file. */
export function createConfigError(problems: readonly Problem[], file: string, locate?: Locate): ConfigError {
  const located = problems.map((problem, index) => ({
    index,
    line: formatProblem(problem, file, locate),
    position: problem.position ?? locate?.(problem.path, problem.at ?? 'value'),
  }));
  located.sort(
    (a, b) =>
      (a.position?.line ?? 0) - (b.position?.line ?? 0) ||
      (a.position?.col ?? 0) - (b.position?.col ?? 0) ||
      a.index - b.index,
  );
  const lines = [...new Set(located.map((entry) => entry.line))];
  return new ConfigError(lines.join('\n'));
}
