import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

// The pid file says which process is the daemon. Exclusivity comes from the database lock the daemon
// holds (store/database.ts); the file is written only after that lock is taken, atomically.

export function readPidFile(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function writePidFile(path: string, pid: number): void {
  const temporary = `${path}.${pid}.tmp`;
  writeFileSync(temporary, `${pid}\n`, { mode: 0o644 });
  renameSync(temporary, path);
}

/** Removes the file only if it still names `pid`, so a successor's file is never deleted. */
export function removePidFile(path: string, pid: number): void {
  if (readPidFile(path) !== pid) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
