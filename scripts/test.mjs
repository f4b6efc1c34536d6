// Runs every unit test (src/**/*.test.ts) and end-to-end test (test/e2e/*.test.ts) with node's test
// runner, then fails if any process started under a test TEND_HOME is still alive.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const files = only.length > 0 ? only : [...findTests('src'), ...findTests('test')].sort();
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// Each run gets its own temporary directory, so two suites running at once (two checkouts) never
// take each other's processes for leaks.
const runDir = mkdtempSync(join(tmpdir(), 'tend-run-'));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=4', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TMPDIR: runDir, TEND_TEST_RUN: '1' } },
);

// No process may outlive the suite: look for anything whose environment names this run's TEND_HOMEs.
const runHome = `TEND_HOME=${runDir}/tend-test-`;
const leaked = [];
for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    if (environ.split('\0').some((variable) => variable.startsWith(runHome))) leaked.push(pid);
  } catch {
    // gone or not ours
  }
}
if (leaked.length > 0) {
  console.error(
    `leak check: ${leaked.length} process(es) outlived the tests: ${leaked.join(', ')}; killing them`,
  );
  for (const pid of leaked) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {}
  }
  process.exit(1);
}
console.log('leak check: no process outlived the tests');
rmSync(runDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
