import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { createTendHome, findDaemons, fixture, ROOT, type TendHome } from './helpers.js';

// `tend export` through the real CLI, each export checked by the target's own validator:
// systemd-analyze verify, the Kubernetes OpenAPI schemas (kubernetes-models), docker-compose config.

const EXAMPLE = join(ROOT, 'examples', 'tend.yaml');
const EVERY_KEY = fixture('export/every-key.yaml');
const NOTE_LINE = /^\S+: .+: .+$/;

function createTempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function withHome(t: TestContext): Promise<TendHome> {
  const h = await createTendHome();
  t.after(async () => {
    assert.equal(existsSync(h.socket), false, 'export never starts a daemon');
    assert.deepEqual(findDaemons(h.home), []);
    await h.cleanup();
  });
  return h;
}

async function exportTo(h: TendHome, args: string[], dir: string): Promise<string[]> {
  const result = await h.tend(['export', ...args, '-o', dir]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const lines = result.stdout.trimEnd().split('\n');
  const notes = lines.filter((line) => !line.startsWith('wrote '));
  for (const line of notes) assert.match(line, NOTE_LINE);
  return notes;
}

/** Warnings count: verify exits 0 on an unknown key, so any output is a failure. */
function verifySystemd(dir: string, user: boolean): void {
  const runtime = join(dir, '.runtime');
  mkdirSync(runtime, { mode: 0o700 });
  const units = readdirSync(dir).filter((name) => name !== '.runtime');
  const args = ['verify', '--man=no', ...(user ? ['--user'] : []), ...units.map((name) => `./${name}`)];
  const result = spawnSync('systemd-analyze', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_COLOR: '0' },
  });
  assert.equal(`${result.stdout}${result.stderr}`, '', `systemd-analyze verify ${units.join(' ')}`);
  assert.equal(result.status, 0);
}

test('export systemd: the example and a config with every key pass systemd-analyze verify', async (t) => {
  const h = await withHome(t);
  for (const [file, user] of [
    [EXAMPLE, false],
    [EVERY_KEY, false],
    [EVERY_KEY, true],
  ] as const) {
    const dir = createTempDir(t, 'tend-export-systemd-');
    const notes = await exportTo(h, ['systemd', '-f', file, ...(user ? ['--user'] : [])], dir);
    assert.ok(notes.length > 0, 'what does not carry over is listed');
    verifySystemd(dir, user);
  }
  const dir = createTempDir(t, 'tend-export-systemd-');
  await exportTo(h, ['systemd', '-f', EXAMPLE], dir);
  assert.deepEqual(readdirSync(dir).sort(), [
    'api.target',
    'api@.service',
    'ticker.service',
    'worker.service',
  ]);
  const api = readFileSync(join(dir, 'api@.service'), 'utf8');
  assert.match(
    api,
    /\nExecStart=\/bin\/sh -c "PORT=\$\$\(\(PORT \+ %i\)\); export PORT; exec node web-api\.mjs"\n/,
  );
  assert.match(api, /\nStartLimitIntervalSec=60s\nStartLimitBurst=5\n/);
  const worker = readFileSync(join(dir, 'worker.service'), 'utf8');
  assert.match(worker, /\nAfter=api\.target\nWants=api\.target\n/);
  assert.match(worker, /\nRestart=on-failure\nRestartForceExitStatus=SIGHUP SIGINT SIGTERM SIGPIPE\n/);
});

test('export refuses to overwrite (exit 5), names unknown programs and targets (exit 2), prints with --stdout', async (t) => {
  const h = await withHome(t);
  const dir = createTempDir(t, 'tend-export-args-');
  writeFileSync(join(dir, 'ticker.service'), '# mine\n');
  const refused = await h.tend(['export', 'systemd', '-f', EXAMPLE, '-o', dir, 'ticker']);
  assert.equal(refused.code, 5, refused.stderr);
  assert.match(refused.stderr, /ticker\.service already exists; use --force to overwrite it/);
  assert.equal(readFileSync(join(dir, 'ticker.service'), 'utf8'), '# mine\n');

  const forced = await h.tend(['export', 'systemd', '-f', EXAMPLE, '-o', dir, 'ticker', '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(readdirSync(dir), ['ticker.service']);

  const printed = await h.tend(['export', 'systemd', '-f', EXAMPLE, '--stdout', 'worker']);
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(printed.stdout, /^# worker: exported by `tend export systemd` from .*tend\.yaml\.\n/);

  const bad: [string[], RegExp][] = [
    [['export', 'upstart', '-f', EXAMPLE], /expected systemd.*, got "upstart"/],
    [
      ['export', 'systemd', '-f', EXAMPLE, 'nope'],
      /no program "nope" in .*tend\.yaml \(it has api, worker, ticker\)/,
    ],
    [['export', 'systemd', '-f', join(dir, 'missing.yaml')], /missing\.yaml/],
  ];
  for (const [args, pattern] of bad) {
    const result = await h.tend(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
  }
});
