import type { ImportNote } from './types.js';

// Notes shared by the importers.

const INTERPOLATION_PATTERN = /\$\{[^}]*\}/;

/** `${VAR}` in a copied value is expanded by tend when it loads tend.yaml, not later by a shell. */
export function noteInterpolation(notes: ImportNote[], program: string, option: string, text: string): void {
  const found = INTERPOLATION_PATTERN.exec(text);
  if (!found) return;
  notes.push({
    program,
    option,
    reason: `${found[0]} is expanded by tend when it loads tend.yaml (from the environment of \`tend up\`), not by a shell when the program starts`,
  });
}

/** File-wide notes first, then each program's in the order they were made; duplicates dropped. */
export function sortNotes(notes: ImportNote[]): ImportNote[] {
  const seen = new Set<string>();
  const unique = notes.filter((note) => {
    const key = JSON.stringify([note.program, note.option, note.reason]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return [...unique.filter((note) => note.program === null), ...unique.filter((note) => note.program !== null)];
}
