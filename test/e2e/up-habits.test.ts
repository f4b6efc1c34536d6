import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTendHome, fixture, getEvents, getProgram, type ProgramRow, waitFor } from './helpers.js';

// tend up as real projects use it: the caller's PATH, every run-time problem at its file position,
// instances addressed by their program's name, plans that say what autostart does.

const sleeper = fixture('sleeper.sh');

async function createProject(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'tend-test-project-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  return { dir, write: (yaml: string) => writeFileSync(join(dir, 'tend.yaml'), yaml) };
}

test('tend up runs programs with the caller PATH; a program env.PATH still wins', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const project = await createProject(t);
  const bin = join(project.dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'hello'), `#!/bin/sh\nexec ${sleeper}\n`, { mode: 0o755 });
  project.write(
    'programs:\n  hi:\n    command: [hello]\n    startSecs: 100ms\n  str:\n    command: hello --flag\n    startSecs: 100ms\n',
  );
  assert.equal((await h.tend(['daemon', 'start'])).code, 0, 'the daemon runs with the default PATH');
  const up = await h.tend(['up'], { cwd: project.dir, env: { PATH: `${bin}:${process.env.PATH}` } });
  assert.equal(up.code, 0, up.stderr);
  await waitFor(async () => (await getProgram(h, 'hi')).state === 'running', 5000, 'hi running');
});

test('every run-time problem of tend up is reported with its program and file position; nothing changes', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const project = await createProject(t);
  project.write(
    [
      'programs:',
      '  web:',
      '    command: nodee server.js',
      '  worker:',
      '    command: [worker-not-here]',
      '    cwd: /srv/no-such-app',
      '  job:',
      `    command: [${JSON.stringify(sleeper)}]`,
      '    user: no-such-user-here',
      '',
    ].join('\n'),
  );
  const up = await h.tend(['up'], { cwd: project.dir });
  assert.equal(up.code, 127, up.stderr);
  assert.match(up.stderr, /tend\.yaml:3:14: programs\.web\.command: Command "nodee" not found/);
  assert.match(up.stderr, /tend\.yaml:5:14: programs\.worker\.command: Command "worker-not-here" not found/);
  assert.match(
    up.stderr,
    /tend\.yaml:6:10: programs\.worker\.cwd: Working directory "\/srv\/no-such-app" does not exist/,
  );
  assert.match(up.stderr, /tend\.yaml:9:11: programs\.job\.user: No user "no-such-user-here"/);
  assert.deepEqual(await h.tendJson(['ls']), []);
});

test('instances are addressed by their program name; restart goes one instance at a time', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const project = await createProject(t);
  project.write(
    `programs:\n  web:\n    command: [${JSON.stringify(sleeper)}]\n    instances: 3\n    startSecs: 200ms\n`,
  );
  assert.equal((await h.tend(['up'], { cwd: project.dir })).code, 0);
  await waitFor(
    async () => (await h.tendJson<ProgramRow[]>(['ls', 'web'])).every((row) => row.state === 'running'),
    5000,
    'web running',
  );
  const shown = await h.tendJson<{ name: string }[]>(['show', 'web']);
  assert.deepEqual(
    shown.map((row) => row.name),
    ['web-0', 'web-1', 'web-2'],
  );
  const restarted = await h.tend(['restart', 'web']);
  assert.equal(restarted.code, 0, restarted.stderr);
  // Rolling: each instance was running again before the next one was stopped.
  const events = (await Promise.all(['web-0', 'web-1', 'web-2'].map((name) => getEvents(h, name)))).map(
    (list) => list.filter((event) => event.event === 'restart' || event.to === 'running').slice(-2),
  );
  for (let index = 1; index < events.length; index++) {
    const previousRunning = events[index - 1]?.find((event) => event.to === 'running')?.time ?? Infinity;
    const thisStopping = events[index]?.find((event) => event.event === 'restart')?.time ?? -1;
    assert.ok(thisStopping >= previousRunning, `web-${index} was restarted after web-${index - 1} ran again`);
  }
  const stopped = await h.tendJson<ProgramRow[]>(['stop', 'web-1', 'web-2']);
  assert.deepEqual(
    stopped.map((row) => [row.name, row.state]),
    [
      ['web-1', 'stopped'],
      ['web-2', 'stopped'],
    ],
  );
  const signalled = await h.tend(['signal', 'USR1', 'web']);
  assert.equal(signalled.code, 0, signalled.stderr);
  assert.match(signalled.stdout, /^web-0: sent SIGUSR1/);
  const logs = await h.tend(['logs', 'web', '-n', '5']);
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /web-0 \| ready/);
  assert.equal((await h.tendJson<{ deleted: string[] }>(['delete', 'web'])).deleted.length, 3);
});

test('autostart: false on a running program is planned and reported as a stop', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const project = await createProject(t);
  const yaml = (extra: string) =>
    `programs:\n  web:\n    command: [${JSON.stringify(sleeper)}]\n    startSecs: 100ms\n${extra}`;
  project.write(yaml(''));
  assert.equal((await h.tend(['up'], { cwd: project.dir })).code, 0);
  project.write(yaml('    autostart: false\n'));
  const dry = await h.tend(['up', '--dry-run'], { cwd: project.dir });
  assert.match(dry.stdout, /web\s+stop \(autostart: false\)/);
  const up = await h.tend(['up'], { cwd: project.dir });
  assert.match(up.stdout, /web\s+stopped \(autostart: false\)$/m);
  assert.doesNotMatch(up.stdout, /restarted with changes/);
  assert.equal((await getProgram(h, 'web')).state, 'stopped');
});

test('tend up waiting on a crash-looping dependency says so and fails fast', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const project = await createProject(t);
  project.write(
    [
      'programs:',
      '  broker:',
      `    command: [${JSON.stringify(fixture('crash.sh'))}, "1"]`,
      '    backoff: { initial: 500ms }',
      '  app:',
      `    command: [${JSON.stringify(sleeper)}]`,
      '    dependsOn: [broker]',
      '',
    ].join('\n'),
  );
  // Well under the 120 s dependency timeout: the CLI's own 30 s limit would fail this test.
  const up = await h.tend(['up'], { cwd: project.dir });
  assert.equal(up.code, 1, up.stderr);
  assert.match(up.stdout, /waiting for broker: (backoff|starting), \d failed starts, last exit 1/);
  assert.match(
    up.stderr,
    /"app" was not started: its dependency "broker" is failing: 3 failed starts in a row/,
  );
  const names = (await h.tendJson<ProgramRow[]>(['ls'])).map((row) => row.name);
  assert.deepEqual(names, ['broker']);
});
