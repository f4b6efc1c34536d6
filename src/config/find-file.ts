import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

// Which file `tend up` reads: `-f FILE`, else the first directory from the working directory upward
// that holds one of CONFIG_FILE_NAMES (in that order of preference within one directory).

export const CONFIG_FILE_NAMES = [
  'tend.yaml',
  'tend.yml',
  'tend.json',
  'tend.config.ts',
  'tend.config.js',
] as const;

const isFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;

export function searchConfigFile(cwd: string): string {
  let dir = resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (isFile(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const names = CONFIG_FILE_NAMES.join(', ');
  throw new ConfigError(
    `No config file found: looked for ${names} in ${resolve(cwd)} and every directory above it`,
  );
}

/** The absolute path of `-f FILE` (relative to cwd), which must exist. */
export function resolveConfigFile(file: string, cwd: string): string {
  const path = resolve(cwd, file);
  if (!isFile(path)) throw new ConfigError(`Config file ${path} does not exist or is not a file`);
  return path;
}
