// The identical child programs every peer runs: bench/children/sleeper.c and loggen.c, compiled with
// `cc -O2` into bench/.peers/bin (rebuilt when the source is newer). Without a C compiler: `sleep
// 1000000` (marked through its environment, since its argv cannot carry a marker) and loggen.mjs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('..', import.meta.url));
export const PEERS_DIR = join(BENCH, '.peers');
const BIN = join(PEERS_DIR, 'bin');
const SOURCES = join(BENCH, 'children');

function which(name) {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

function compile(name) {
  const source = join(SOURCES, `${name}.c`);
  const output = join(BIN, name);
  if (existsSync(output) && statSync(output).mtimeMs >= statSync(source).mtimeMs) return output;
  mkdirSync(BIN, { recursive: true });
  execFileSync('cc', ['-O2', '-o', output, source], { stdio: ['ignore', 'ignore', 'pipe'] });
  return output;
}

/**
 * { kind: 'c' | 'fallback', note, useEnviron, sleeper(marker, index), loggen(marker, bytes) }; the two
 * functions return { argv, env } for one program.
 */
export function prepareChildren({ forceFallback = false } = {}) {
  const cc = forceFallback ? null : which('cc');
  if (cc) {
    try {
      const sleeper = compile('sleeper');
      const loggen = compile('loggen');
      return {
        kind: 'c',
        note: `C programs compiled with ${cc} into ${BIN}`,
        useEnviron: false,
        sleeper: (marker, index) => ({ argv: [sleeper, marker, String(index)], env: {} }),
        loggen: (marker, bytes) => ({ argv: [loggen, marker, 'log', String(bytes)], env: {} }),
      };
    } catch (error) {
      process.stderr.write(
        `bench: cc failed (${error.message.split('\n')[0]}); using the fallback children\n`,
      );
    }
  }
  const sleep = which('sleep') ?? '/bin/sleep';
  const script = join(SOURCES, 'loggen.mjs');
  return {
    kind: 'fallback',
    note: `no C compiler: \`${sleep} 1000000\` and node ${script}`,
    useEnviron: true,
    sleeper: (marker, index) => ({ argv: [sleep, '1000000'], env: { TENDBENCH: `${marker}:${index}` } }),
    loggen: (marker, bytes) => ({
      argv: [process.execPath, script, marker, 'log', String(bytes)],
      env: { TENDBENCH: `${marker}:log` },
    }),
  };
}
