import { PROGRAM_NAME_PATTERN } from '../program-schema.js';

// Names from other tools (`web.1`, `app:worker`, `my app`) made into valid, unique tend names.

const MAX_NAME_LENGTH = 64;
const RESERVED_NAMES = new Set(['all']);

/** Returns a valid name not in `taken`; the caller notes the change when it differs from `raw`. */
export function createProgramName(raw: string, taken: ReadonlySet<string>): string {
  let base = raw
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_NAME_LENGTH);
  if (base === '') base = 'program';
  if (RESERVED_NAMES.has(base)) base = `${base}-program`;
  let name = base;
  for (let suffix = 2; taken.has(name) || !PROGRAM_NAME_PATTERN.test(name); suffix += 1) {
    name = `${base.slice(0, MAX_NAME_LENGTH - String(suffix).length - 1)}-${suffix}`;
  }
  return name;
}
