import type { ImportNote } from './types.js';

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
