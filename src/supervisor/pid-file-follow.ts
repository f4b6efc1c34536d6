import { readFileSync } from 'node:fs';

// `pidFile:` (docs/reload.md): a program that replaces its own main process (nginx's binary upgrade)
// writes the new one's pid there; tend reads it when the main process ends.

/** The pid in the file, or null when it is missing, empty or not a pid. */
export function readPidFile(path: string): number | null {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^\d{1,10}$/.test(text) && Number(text) > 0 ? Number(text) : null;
  } catch {
    return null;
  }
}
