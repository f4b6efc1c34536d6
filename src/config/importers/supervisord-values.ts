import { normalizeSignal } from '../../signals.js';
import { parseSize } from '../../units.js';
import { formatSignal } from './format.js';

// supervisord's value types. Each parser returns the value, or a string saying what was expected.

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

export function parseBoolean(text: string): Parsed<boolean> {
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return { ok: true, value: true };
  if (FALSE_WORDS.has(word)) return { ok: true, value: false };
  return { ok: false, expected: 'true or false' };
}

export function parseInteger(text: string): Parsed<number> {
  return /^\d+$/.test(text) ? { ok: true, value: Number(text) } : { ok: false, expected: 'a whole number' };
}

export function parseExitCodes(text: string): Parsed<number[]> {
  const codes = text.split(',').map((part) => part.trim());
  if (codes.every((code) => /^\d+$/.test(code) && Number(code) <= 255)) {
    return { ok: true, value: codes.map(Number) };
  }
  return { ok: false, expected: 'exit codes like 0,2' };
}

/** `50MB`, `1KB`, `0` (supervisord counts in units of 1024 like tend). */
export function parseByteSize(text: string): Parsed<number> {
  const bytes = parseSize(text);
  return bytes === undefined ? { ok: false, expected: 'a size like 50MB' } : { ok: true, value: bytes };
}

export function parseSignal(text: string): Parsed<string> {
  const signal = normalizeSignal(text);
  return signal ? { ok: true, value: formatSignal(signal) } : { ok: false, expected: 'a signal like TERM' };
}

export function parseUmask(text: string): Parsed<string> {
  const digits = text.replace(/^0o?/, '');
  if (!/^[0-7]{1,3}$/.test(digits)) return { ok: false, expected: 'an octal umask like 022' };
  return { ok: true, value: digits.padStart(3, '0') };
}

/** `KEY="value, with comma",KEY2=plain` (supervisord's `environment`); quotes are optional. */
export function parseEnvironment(text: string): Parsed<Record<string, string>> {
  const env: Record<string, string> = {};
  const expected = 'KEY="value",KEY2=value pairs';
  let index = 0;
  const skip = (pattern: RegExp) => {
    while (index < text.length && pattern.test(text[index] as string)) index += 1;
  };
  for (skip(/[\s,]/); index < text.length; skip(/[\s,]/)) {
    const equals = text.indexOf('=', index);
    if (equals === -1) return { ok: false, expected };
    const key = text.slice(index, equals).trim();
    if (key === '' || /[\s,"']/.test(key)) return { ok: false, expected };
    index = equals + 1;
    skip(/[ \t]/);
    const quote = text[index];
    let value: string;
    if (quote === '"' || quote === "'") {
      const end = text.indexOf(quote, index + 1);
      if (end === -1) return { ok: false, expected };
      value = text.slice(index + 1, end);
      index = end + 1;
    } else {
      const found = text.slice(index).search(/[,\n]/);
      const end = found === -1 ? text.length : index + found;
      value = text.slice(index, end).trim();
      index = end;
    }
    env[key] = value;
  }
  return { ok: true, value: env };
}
