import { realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

// A boot unit names node and tend by absolute path. The path of the running node is often inside a
// version manager's folder (~/.nvm/versions/node/v20.11.0/bin/node): the next `nvm install` leaves
// the unit pointing at a node that may be removed. So: prefer a path that stays when node is
// upgraded (a symlink on PATH such as /usr/local/bin/node that leads to the same binary), and say
// when there is none; `tend startup --check` then notices the drift.

const VERSIONED_PATTERNS = [
  /\/\.nvm\/versions\//,
  /\/\.fnm\//,
  /fnm_multishells/,
  /\/\.volta\/tools\/image\//,
  /\/\.asdf\/installs\//,
  /\/mise\/installs\//,
  /\/\.nodenv\/versions\//,
  /\/n\/versions\/node\//,
  /\/Cellar\/node(@\d+)?\/\d[^/]*\//,
  /\/node-v\d+\.\d+\.\d+[^/]*\//,
];
const WELL_KNOWN_BIN_DIRS = ['/usr/local/bin', '/usr/bin', '/opt/homebrew/bin', '/bin'];

export interface ChosenPath {
  readonly path: string;
  /** False when the only path found lives in a versioned folder (a node upgrade may break it). */
  readonly stable: boolean;
}

/** A path under a version manager's (or a versioned archive's) folder. */
export function isVersionedPath(path: string): boolean {
  return VERSIONED_PATTERNS.some((pattern) => pattern.test(path));
}

/**
 * The node to name in the unit: `execPath` itself when it is stable, else a stable name on PATH
 * (or a well-known bin folder) for the very same binary, else `execPath`, marked unstable.
 */
export function chooseNodePath(execPath: string, pathEnv: string | undefined): ChosenPath {
  if (!isVersionedPath(execPath)) return { path: execPath, stable: true };
  const target = realpathOrNull(execPath);
  const dirs = [...(pathEnv ?? '').split(delimiter).filter(Boolean), ...WELL_KNOWN_BIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, 'node');
    if (isVersionedPath(candidate) || !isFile(candidate)) continue;
    if (target !== null && realpathOrNull(candidate) === target) return { path: candidate, stable: true };
  }
  return { path: execPath, stable: false };
}

/** The tend script to name: as it was invoked (a symlink such as /usr/local/bin/tend survives upgrades). */
export function chooseTendPath(invokedAs: string): ChosenPath {
  if (!isVersionedPath(invokedAs)) return { path: invokedAs, stable: true };
  return { path: invokedAs, stable: false };
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
