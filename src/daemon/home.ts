import { chmodSync, mkdirSync, statSync } from 'node:fs';
import type { TendPaths } from '../paths.js';

/** Creates TEND_HOME and its folders with mode 0700, and tightens a home that was left more open. */
export function ensureHome(paths: TendPaths): void {
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  if ((statSync(paths.home).mode & 0o077) !== 0) chmodSync(paths.home, 0o700);
  mkdirSync(paths.logsDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.fifoDir, { recursive: true, mode: 0o700 });
}
