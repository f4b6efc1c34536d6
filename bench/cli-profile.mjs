// Where the time of `tend ls` goes, with N programs running: Node's own start-up, loading (reading,
// compiling, evaluating) the CLI bundle, and the request plus the rendering. Each step is the median
// of --runs sequential spawns, spawn to exit, so their differences are what each step adds.
//
//   node bench/cli-profile.mjs [--n 100] [--runs 20]
//
// Steps: `node -e 0` (the floor under any Node CLI); an empty .mjs (what Node's ESM loader adds: the
// CLI is ESM); `node bin/tend.js --version` (Node + the CLI's
// entry and every module it loads, no socket); `tend ls` (the same + connect, GET /v1/programs and
// the table). The files each one reads are listed from strace when it is installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, nowMs } from './lib/util.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'tend.js');
const { values } = parseArgs({ options: { n: { type: 'string' }, runs: { type: 'string' } } });
const n = Number(values.n ?? 100);
const runs = Number(values.runs ?? 20);

const home = mkdtempSync(join(tmpdir(), 'tend-cli-profile-'));
const env = { ...process.env, TEND_HOME: home };
const tend = (args, options = {}) => {
  const result = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`tend ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};

function time(file, args) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowMs();
    const result = spawnSync(file, args, { env, stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
    samples.push(nowMs() - t0);
  }
  return median(samples);
}

/** CPU time (task-clock, ms) of one run, the median of --runs, from `perf stat`; null without perf. */
function cpuTime(file, args) {
  const result = spawnSync('perf', ['stat', '-r', String(runs), '-x,', '-e', 'task-clock', file, ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (result.error || result.status !== 0) return null;
  const line = result.stderr
    .trim()
    .split('\n')
    .find((entry) => entry.includes('task-clock'));
  return line ? Number(line.split(',')[0]) : null;
}

/** The files under dist/ a run opens, and their total size (what it reads and compiles). */
function openedBundleFiles(args) {
  const out = join(home, 'strace.txt');
  const trace = spawnSync('strace', ['-f', '-e', 'trace=openat', '-o', out, process.execPath, ...args], {
    env,
  });
  if (trace.error || trace.status !== 0) return null;
  const files = new Set();
  for (const match of readFileSync(out, 'utf8').matchAll(/"([^"]*\/dist\/[^"]*\.js)", [^)]*\) = \d+/g))
    files.add(match[1]);
  let bytes = 0;
  for (const file of files) bytes += readFileSync(file).length;
  return { files: [...files].map((file) => file.slice(file.indexOf('dist/'))), bytes };
}

try {
  tend(['daemon', 'start']);
  for (let i = 0; i < n; i++) tend(['start', '--name', `p${i}`, '--', 'sleep', '1000']);
  const empty = join(home, 'empty.mjs');
  writeFileSync(empty, '');
  const steps = [
    { step: 'node -e 0 (Node start-up)', args: ['-e', '0'] },
    { step: 'node empty.mjs (+ the ESM loader)', args: [empty] },
    { step: 'tend --version (+ the CLI bundle)', args: [CLI, '--version'] },
    { step: `tend ls with ${n} (+ connect, request, render)`, args: [CLI, 'ls'] },
  ].map((entry) => ({
    ...entry,
    ms: time(process.execPath, entry.args),
    cpuMs: cpuTime(process.execPath, entry.args),
  }));
  let previous = { ms: 0, cpuMs: 0 };
  console.log(
    `medians of ${runs}: wall time spawn to exit, and CPU time (perf task-clock); Node ${process.version}`,
  );
  for (const { step, ms, cpuMs } of steps) {
    const cpu =
      cpuMs === null
        ? ''
        : `   CPU ${cpuMs.toFixed(1).padStart(6)} ms (+${(cpuMs - previous.cpuMs).toFixed(1)})`;
    console.log(
      `${step.padEnd(48)} wall ${ms.toFixed(1).padStart(7)} ms (+${(ms - previous.ms).toFixed(1)})${cpu}`,
    );
    previous = { ms, cpuMs: cpuMs ?? 0 };
  }
  for (const args of [
    [CLI, '--version'],
    [CLI, 'ls'],
  ]) {
    const opened = openedBundleFiles(args);
    if (opened)
      console.log(
        `${args.slice(1).join(' ')} loads ${opened.files.length} bundle files, ${(opened.bytes / 1024).toFixed(0)} KiB: ${opened.files.join(' ')}`,
      );
  }
} finally {
  spawnSync(process.execPath, [CLI, 'daemon', 'stop'], { env, stdio: 'ignore' });
  rmSync(home, { recursive: true, force: true });
}
