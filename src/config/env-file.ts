import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'dotenv';
import type { Path, Problem } from './problems.js';

// Reads `envFile:` dotenv files relative to the config file's directory. A missing file is an error:
// a program started without the variables it expects would be silently wrong.

export type EnvFileReader = (file: string, path: Path, problems: Problem[]) => Record<string, string>;

/** A reader that resolves names against `dir` and reads each file once per load. */
export function createEnvFileReader(dir: string): EnvFileReader {
  const cache = new Map<string, Record<string, string> | Error>();
  return (file, path, problems) => {
    const absolute = resolve(dir, file);
    let parsed = cache.get(absolute);
    if (parsed === undefined) {
      try {
        parsed = parse(readFileSync(absolute, 'utf8'));
      } catch (error) {
        parsed = error instanceof Error ? error : new Error(String(error));
      }
      cache.set(absolute, parsed);
    }
    if (!(parsed instanceof Error)) return parsed;
    const reason = (parsed as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : parsed.message;
    problems.push({ path, message: `expected a readable dotenv file, found "${absolute}" (${reason})` });
    return {};
  };
}

/** The variables of one file or of a list of files, later files winning. */
export function readEnvFiles(
  envFile: string | readonly string[],
  path: Path,
  read: EnvFileReader,
  problems: Problem[],
): Record<string, string> {
  if (typeof envFile === 'string') return read(envFile, path, problems);
  return Object.assign({}, ...envFile.map((file, index) => read(file, [...path, index], problems)));
}
