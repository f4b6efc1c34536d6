import type { Path, Problem } from './problems.js';

// `${VAR}` and `${VAR:-default}` in every string value, from the given environment. `$$` is a
// literal `$`; a `$` before anything else (`$HOME` in a shell command) is left alone.

const EXPRESSION = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

type Env = Readonly<Record<string, string | undefined>>;

/** The string with every reference replaced, or the reason it cannot be. */
export function interpolateString(text: string, env: Env): { value: string } | { error: string } {
  let value = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar === -1) break;
    value += text.slice(index, dollar);
    const next = text[dollar + 1];
    if (next !== '$' && next !== '{') {
      value += '$';
      index = dollar + 1;
      continue;
    }
    if (next === '$') {
      value += '$';
      index = dollar + 2;
      continue;
    }
    const end = text.indexOf('}', dollar);
    const reference = text.slice(dollar, end === -1 ? undefined : end + 1);
    const match = end === -1 ? null : EXPRESSION.exec(text.slice(dollar + 2, end));
    if (!match?.[1]) {
      return {
        error: `expected \${NAME} or \${NAME:-default} (write $$ for a literal $), found "${reference}"`,
      };
    }
    const [, name, fallback] = match;
    const set = env[name];
    if (fallback !== undefined) value += set === undefined || set === '' ? fallback : set;
    else if (set !== undefined) value += set;
    else
      return {
        error: `expected the environment variable ${name} to be set (or a default: \${${name}:-value}), found it unset`,
      };
    index = end + 1;
  }
  return { value: value + text.slice(index) };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;

/** A copy of the data with every string interpolated; a string that fails is kept as written. */
export function interpolateValues(data: unknown, env: Env, problems: Problem[], path: Path = []): unknown {
  if (typeof data === 'string') {
    const result = interpolateString(data, env);
    if ('value' in result) return result.value;
    problems.push({ path, message: result.error });
    return data;
  }
  if (Array.isArray(data))
    return data.map((item, index) => interpolateValues(item, env, problems, [...path, index]));
  if (isPlainObject(data)) {
    return Object.fromEntries(
      Object.entries(data).map(([key, value]) => [
        key,
        interpolateValues(value, env, problems, [...path, key]),
      ]),
    );
  }
  return data;
}
