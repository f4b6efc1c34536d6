import { readFileSync } from 'node:fs';
import type { System } from './system.js';

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

/** pidFile: a live process of the program named there, other than the one that ended, follows it. */
export function findPidFileSuccessor(
  file: string | null,
  pid: number,
  pgid: number | null,
  system: System,
): number | null {
  if (file === null) return null;
  const named = readPidFile(file);
  if (named === null || named === pid || !system.isInGroup(named, pgid)) return null;
  return named;
}
