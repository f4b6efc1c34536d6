// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is tend interpolation, not a template
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTendHome, findDaemons, fixture, type TendHome, type TendResult } from './helpers.js';

// `tend import` through the real CLI: files written, notes printed, exit statuses, and no daemon.

const NOTE_LINE = /^\S+: .+: .+$/;

function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tend-import-e2e-'));
  cpSync(fixture(join('import', name)), dir, { recursive: true });
  return dir;
}

async function withHome(t: { after(fn: () => Promise<void> | void): void }): Promise<TendHome> {
  const h = await createTendHome();
  t.after(async () => {
    // Importing never needs the daemon, so none may have been started.
    assert.equal(existsSync(h.socket), false, 'no daemon socket');
    assert.deepEqual(findDaemons(h.home), []);
    await h.cleanup();
  });
  return h;
}

function assertOneLineError(result: TendResult, status: number, pattern: RegExp): void {
  assert.equal(result.code, status, `exit status (stderr: ${result.stderr})`);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^tend: [^\n]+\n$/, `one line on stderr, got ${JSON.stringify(result.stderr)}`);
  assert.match(result.stderr, pattern);
}

test('import notes a user that does not exist on this machine, at import time', async (t) => {
  const h = await withHome(t);
  const dir = mkdtempSync(join(tmpdir(), 'tend-import-e2e-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const conf = join(dir, 'supervisord.conf');
  writeFileSync(conf, '[program:web]\ncommand=/bin/sleep 100\nuser=tend-no-such-user\n');
  const result = await h.tend(['import', 'supervisord', conf]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /web: user: there is no user "tend-no-such-user" on this machine; tend up refuses the program until it exists/,
  );
});

test('import supervisord writes tend.yaml next to the input and prints every note', async (t) => {
  const h = await withHome(t);
  const dir = copyFixture('supervisord');
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const result = await h.tend(['import', 'supervisord', join(dir, 'supervisord.conf')]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const [first, ...notes] = result.stdout.trimEnd().split('\n');
  assert.equal(first, `wrote ${join(dir, 'tend.yaml')}`);
  // Users this machine lacks are noted too (which ones depends on the machine).
  const accountNotes = notes.filter((line) => / user: there is no user "[^"]+" on this machine/.test(line));
  assert.equal(notes.length - accountNotes.length, 19);
  for (const line of notes) assert.match(line, NOTE_LINE);
  assert.ok(
    notes.includes(
      'celery: stopasgroup: tend always signals the whole process group, not only the main process',
    ),
  );

  const yaml = readFileSync(join(dir, 'tend.yaml'), 'utf8');
  assert.match(yaml, /^# tend\.yaml imported by `tend import supervisord` from supervisord\.conf\.\n/);
  for (const line of notes) assert.ok(yaml.includes(`#   ${line}\n`), `the header lists "${line}"`);
  assert.match(yaml, /\n {2}flower:\n {4}command: \[\/srv\/acme\/venv\/bin\/celery, -A, acme, flower/);
});

test('an existing tend.yaml is kept (exit 5) unless --force is given', async (t) => {
  const h = await withHome(t);
  const dir = copyFixture('procfile');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = join(dir, 'tend.yaml');
  writeFileSync(target, '# mine\n');

  const refused = await h.tend(['import', 'procfile', join(dir, 'Procfile')]);
  assertOneLineError(refused, 5, /tend\.yaml already exists; use --force to overwrite it/);
  assert.equal(readFileSync(target, 'utf8'), '# mine\n');

  const forced = await h.tend(['import', 'procfile', join(dir, 'Procfile'), '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(forced.stdout.trimEnd().split('\n'), [
    `wrote ${target}`,
    'web: PORT: Heroku sets $PORT for web at run time; set to 5000 as foreman does, change it to suit',
    'web: command: ${PORT:-5000} is written $${PORT:-5000}, so tend.yaml keeps it as it was instead of expanding it when loaded',
    'release: release: Heroku runs it once per deploy, before the new processes; here it runs only with `tend start release`',
  ]);
  assert.match(
    readFileSync(target, 'utf8'),
    /\n {2}release:\n {4}command: bin\/rails db:migrate\n {4}autostart: false\n/,
  );
});

test('-o writes elsewhere with paths still pointing at the app; --stdout only prints', async (t) => {
  const h = await withHome(t);
  const dir = copyFixture('pm2');
  const out = mkdtempSync(join(tmpdir(), 'tend-import-out-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  const written = await h.tend([
    'import',
    'pm2',
    join(dir, 'ecosystem.config.js'),
    '-o',
    out,
    '--env',
    'production',
  ]);
  assert.equal(written.code, 0, written.stderr);
  assert.equal(written.stdout.split('\n')[0], `wrote ${join(out, 'tend.yaml')}`);
  const yaml = readFileSync(join(out, 'tend.yaml'), 'utf8');
  const appDir = join('..', dir.slice(dir.lastIndexOf('/') + 1));
  assert.ok(yaml.includes(`    cwd: ${appDir}/services/mailer\n`), yaml);
  assert.ok(yaml.includes(`      out: ${appDir}/logs/api.out.log\n`), yaml);
  assert.ok(yaml.includes('      PORT: "8080"\n'), yaml);

  const printed = await h.tend(['import', 'pm2', 'ecosystem.json', '--stdout'], { cwd: dir });
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(printed.stdout, /^# tend\.yaml imported by `tend import pm2` from ecosystem\.json\.\n/);
  assert.match(printed.stdout, /\n {2}presence-sync:\n {4}command: \[npm, run, presence, --, --verbose\]\n/);
  assert.equal(existsSync(join(dir, 'tend.yaml')), false);
});

test('bad input fails with one line naming the file (and line), exit 2, and writes nothing', async (t) => {
  const h = await withHome(t);
  const dir = mkdtempSync(join(tmpdir(), 'tend-import-bad-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'Procfile'), 'web: node server.js\nworker node worker.js\n');
  writeFileSync(
    join(dir, 'ecosystem.json'),
    '{\n  "apps": [\n    { "script": "a.js" }\n    { "script": "b.js" }\n  ]\n}\n',
  );
  writeFileSync(join(dir, 'supervisord.conf'), '[program:web]\ncommand=/bin/web\nautostart=maybe\n');

  const cases: [string[], RegExp][] = [
    [
      ['import', 'procfile', 'Procfile'],
      /^tend: Procfile:2: expected "name: command", got "worker node worker\.js"/,
    ],
    [['import', 'pm2', 'ecosystem.json'], /^tend: ecosystem\.json:4:5: /],
    [
      ['import', 'supervisord', 'supervisord.conf'],
      /^tend: supervisord\.conf:3: \[program:web\] autostart: expected true or false, got "maybe"/,
    ],
    [['import', 'procfile', 'missing'], /^tend: missing: cannot read it \(no such file or directory\)/],
    [['import', 'upstart', 'Procfile'], /expected pm2, supervisord, procfile or systemd, got "upstart"/],
    [['import', 'pm2'], /missing the pm2 file to import/],
    [['import', 'procfile', 'Procfile', '--env', 'production'], /--env is for pm2 files only/],
  ];
  for (const [args, pattern] of cases) assertOneLineError(await h.tend(args, { cwd: dir }), 2, pattern);
  assert.equal(existsSync(join(dir, 'tend.yaml')), false);
});
