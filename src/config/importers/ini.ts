import { ConfigError } from '../../errors.js';

// The INI dialect of supervisord (Python's configparser as supervisord sets it up): `key = value` or
// `key: value`, `;` and `#` comment lines, inline comments after whitespace, indented continuation
// lines, lower-cased keys, and a repeated key or section replacing the earlier one.

export interface IniEntry {
  value: string;
  line: number;
}

export interface IniSection {
  name: string;
  line: number;
  entries: Map<string, IniEntry>;
}

const SECTION_PATTERN = /^\[([^\]]+)\]\s*$/;
const ENTRY_PATTERN = /^([^=:\s][^=:]*?)\s*[=:]\s?(.*)$/;
const INLINE_COMMENT_PATTERN = /\s[;#].*$/;

export function parseIni(text: string, file: string): IniSection[] {
  const sections = new Map<string, IniSection>();
  let section: IniSection | null = null;
  let last: IniEntry | null = null;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith(';') || trimmed.startsWith('#')) continue;
    const content = trimmed.replace(INLINE_COMMENT_PATTERN, '');
    if (/^\s/.test(raw) && last) {
      last.value = last.value === '' ? content : `${last.value}\n${content}`;
      continue;
    }
    const header = SECTION_PATTERN.exec(content);
    if (header) {
      const name = (header[1] as string).trim();
      section = { name, line, entries: new Map() };
      sections.delete(name);
      sections.set(name, section);
      last = null;
      continue;
    }
    if (content.startsWith('['))
      throw new ConfigError(`${file}:${line}: malformed section header "${content}"`);
    if (!section) throw new ConfigError(`${file}:${line}: "${content}" comes before any [section]`);
    const entry = ENTRY_PATTERN.exec(content);
    if (!entry) throw new ConfigError(`${file}:${line}: expected "key = value", got "${content}"`);
    last = { value: (entry[2] as string).trim(), line };
    section.entries.set((entry[1] as string).toLowerCase(), last);
  }
  return [...sections.values()];
}
