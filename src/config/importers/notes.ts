import { findGroupId, findUser } from '../../accounts.js';
import type { ImportNote, TendYamlConfig, TendYamlProgram } from './types.js';

// Notes shared by the importers, and the order they are shown in.

/** A copied `${…}` is written `$${…}`, which tend.yaml reads back as `${…}` instead of expanding it. */
export function noteEscapedDollars(
  notes: ImportNote[],
  program: string,
  option: string,
  original: string,
): void {
  const found = /\$\{[^}]*\}/.exec(original);
  if (!found) return;
  notes.push({
    program,
    option,
    reason: `${found[0]} is written $${found[0]}, so tend.yaml keeps it as it was instead of expanding it when loaded`,
  });
}

/**
 * Users and groups the imported programs name that this machine does not have: `tend up` would
 * refuse those programs until they exist. Checked where the import runs, so kept out of the
 * importers themselves (their output does not depend on the machine).
 */
export function getMissingAccountNotes(config: TendYamlConfig): ImportNote[] {
  const notes: ImportNote[] = [];
  const entries: [string | null, TendYamlProgram | undefined][] = [
    [null, config.defaults],
    ...Object.entries(config.programs),
  ];
  for (const [program, settings] of entries) {
    for (const kind of ['user', 'group'] as const) {
      const name = settings?.[kind];
      if (name === undefined || accountExists(kind, name)) continue;
      notes.push({
        program,
        option: kind,
        reason: `there is no ${kind} "${name}" on this machine; tend up refuses the program until it exists`,
      });
    }
  }
  return notes;
}

function accountExists(kind: 'user' | 'group', name: string): boolean {
  try {
    if (kind === 'user') findUser(name);
    else findGroupId(name);
    return true;
  } catch {
    return false;
  }
}

/** File-wide notes first, then each program's in the order of `programs`; duplicates dropped. */
export function sortNotes(notes: ImportNote[], programs: readonly string[]): ImportNote[] {
  const seen = new Set<string>();
  const unique = notes.filter((note) => {
    const key = JSON.stringify([note.program, note.option, note.reason]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rank = (note: ImportNote) => (note.program === null ? -1 : programs.indexOf(note.program));
  return unique
    .map((note, index) => ({ note, index }))
    .sort((a, b) => rank(a.note) - rank(b.note) || a.index - b.index)
    .map(({ note }) => note);
}
