import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../../errors.js';
import type { IncludedFile } from './supervisord.js';

// The files a supervisord [include] names: `files = conf.d/*.conf /etc/extra.ini`, relative to the
// including file. Wildcards (`*`, `?`, `[…]`) work in the file name, as they mostly are written.

export function readIncludedFiles(pattern: string, baseDir: string): IncludedFile[] {
  const absolute = resolve(baseDir, pattern);
  const dir = dirname(absolute);
  const name = basename(absolute);
  if (!/[*?[]/.test(name)) return existsSync(absolute) ? [readIncluded(absolute)] : [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const matcher = createGlobMatcher(name);
  return entries
    .filter((entry) => matcher.test(entry))
    .sort()
    .map((entry) => readIncluded(join(dir, entry)));
}

function readIncluded(path: string): IncludedFile {
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (error) {
    throw new ConfigError(
      `${path}: cannot read the included file (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
}

function createGlobMatcher(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index] as string;
    const close = char === '[' ? glob.indexOf(']', index + 1) : -1;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (close !== -1) {
      source += `[${glob
        .slice(index + 1, close)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\')}]`;
      index = close;
    } else source += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
