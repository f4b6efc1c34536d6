import { ConfigError } from '../../errors.js';

// systemd's unit file syntax (systemd.syntax(7)): `[Section]` headers, `Key=Value` lines, `#` and
// `;` comment lines, a trailing backslash joining the next line, and keys that may repeat (each
// assignment is kept, in order; for list settings an empty one resets the list).

export interface UnitEntry {
  key: string;
  value: string;
  line: number;
}

export interface Unit {
  /** The file name, `api.service` or `web@.service`. */
  name: string;
  path: string;
  sections: Map<string, UnitEntry[]>;
}

const SECTION = /^\[([^\]]+)\]$/;
const ENTRY = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/;

export function parseUnit(text: string, path: string): Unit {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const sections = new Map<string, UnitEntry[]>();
  let current: UnitEntry[] | null = null;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const start = index + 1;
    let raw = (lines[index] as string).trim();
    if (raw === '' || raw.startsWith('#') || raw.startsWith(';')) continue;
    while (raw.endsWith('\\') && index + 1 < lines.length) {
      index += 1;
      const next = (lines[index] as string).trim();
      if (next.startsWith('#') || next.startsWith(';')) continue;
      raw = `${raw.slice(0, -1)} ${next}`;
    }
    const header = SECTION.exec(raw);
    if (header) {
      current = sections.get(header[1] as string) ?? [];
      sections.set(header[1] as string, current);
      continue;
    }
    const entry = ENTRY.exec(raw);
    if (!entry) throw new ConfigError(`${path}:${start}: expected "Key=Value" or a [Section], got "${raw}"`);
    if (!current) throw new ConfigError(`${path}:${start}: "${raw}" comes before any [Section]`);
    current.push({ key: entry[1] as string, value: (entry[2] as string).trim(), line: start });
  }
  return { name, path, sections };
}

/** The last assignment of a single-valued setting. */
export function getValue(unit: Unit, section: string, key: string): string | undefined {
  return unit.sections
    .get(section)
    ?.filter((entry) => entry.key === key)
    .at(-1)?.value;
}

/** Every assignment of a list setting since the last empty one. */
export function getValues(unit: Unit, section: string, key: string): string[] {
  const values: string[] = [];
  for (const entry of unit.sections.get(section) ?? []) {
    if (entry.key !== key) continue;
    if (entry.value === '') values.length = 0;
    else values.push(entry.value);
  }
  return values;
}

/** Space-separated lists (After=, Wants=, SuccessExitStatus=) as one list of words. */
export function getWords(unit: Unit, section: string, key: string): string[] {
  return getValues(unit, section, key).flatMap((value) => value.split(/\s+/).filter(Boolean));
}
