import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTendHome, findDaemons, fixture, startRunning, type TendResult } from './helpers.js';

// Failed commands: one line on stderr, a documented exit status, and nothing created.

function assertOneLineError(result: TendResult, status: number, pattern?: RegExp): void {
  assert.equal(result.code, status, `exit status (stderr: ${result.stderr})`);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^tend: [^\n]+\n$/, `one line on stderr, got ${JSON.stringify(result.stderr)}`);
  if (pattern) assert.match(result.stderr, pattern);
}

test('starting a command that does not exist fails with 127 and creates nothing', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);

  const result = await h.tend(['start', '--', 'definitely-not-a-command-xyz']);
  assertOneLineError(result, 127, /definitely-not-a-command-xyz/);
  assert.deepEqual(await h.tendJson(['ls']), []);
  // One simple command as a string (the usual tend.yaml form) is checked the same way.
  const string = await h.tend(['start', '--', 'definitely-not-a-command-xyz --port 3000']);
  assertOneLineError(string, 127, /definitely-not-a-command-xyz/);
  assert.deepEqual(await h.tendJson(['ls']), []);
});

test('starting a file that is not executable fails with 126 and creates nothing', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const script = join(h.home, 'not-executable.sh');
  writeFileSync(script, '#!/bin/sh\nexit 0\n', { mode: 0o644 });

  assertOneLineError(await h.tend(['start', '--', script]), 126, /not an executable/);
  assertOneLineError(
    await h.tend(['start', '--cwd', join(h.home, 'missing'), '--', 'sleep', '1']),
    2,
    /missing/,
  );
  assert.deepEqual(await h.tendJson(['ls']), []);
});

test('bad flags fail with 2 before anything is created or a daemon started', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const sleeper = fixture('sleeper.sh');

  const cases: [string[], RegExp][] = [
    [['start', '--give-up', 'often', '--', sleeper], /--give-up expects COUNT\/DURATION/],
    [['start', '--env', 'NOEQUALS', '--', sleeper], /--env expects KEY=VALUE/],
    [['start', '--frobnicate', '--', sleeper], /frobnicate/],
    [['start', '--'], /missing the command/],
    [['start'], /missing a program name/],
    [['stop'], /missing a program name/],
    [['signal', 'HUP'], /usage is tend signal SIGNAL NAME/],
    [['signal', 'NOPE', 'web'], /unknown signal "NOPE"/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['daemon', 'explode'], /daemon: expected start, stop, restart, status or run/],
  ];
  for (const [args, pattern] of cases) {
    assertOneLineError(await h.tend(args), 2, pattern);
  }
  assert.deepEqual(findDaemons(h.home), [], 'no daemon was started');
});

test("bad values are refused by the daemon's schema, named by their flag, and create nothing", async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const sleeper = fixture('sleeper.sh');

  const cases: [string[], RegExp][] = [
    [
      ['start', '--restart', 'sometimes', '--', sleeper],
      /start: --restart: expected one of always, on-failure, never, found "sometimes"/,
    ],
    [
      ['start', '--stop-timeout', 'soon', '--', sleeper],
      /--stop-timeout: expected a duration like .*, found "soon"/,
    ],
    [['start', '--start-secs=-1s', '--', sleeper], /--start-secs: expected a duration/],
    [['start', '--stop-signal', 'NOPE', '--', sleeper], /--stop-signal: expected a signal/],
    [
      ['start', '--success-codes', '0,300', '--', sleeper],
      /--success-codes: expected a number ≤ 255, found 300/,
    ],
    [['start', '--give-up', 'x/1m', '--', sleeper], /--give-up: expected a number, found "x"/],
    [['start', '--log-max-size', 'big', '--', sleeper], /--log-max-size: expected a size/],
    [['start', '--ready', 'maybe', '--', sleeper], /--ready: expected one of startSecs, notify, fd/],
  ];
  for (const [args, pattern] of cases) {
    assertOneLineError(await h.tend(args), 2, pattern);
  }
  assert.deepEqual(await h.tendJson(['ls']), [], 'nothing was created');
});

test('naming a program that does not exist fails with 4', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);

  for (const args of [
    ['stop', 'ghost'],
    ['show', 'ghost'],
    ['signal', 'HUP', 'ghost'],
    ['start', 'ghost'],
    ['restart', 'ghost'],
    ['delete', 'ghost'],
    ['events', 'ghost'],
  ]) {
    assertOneLineError(await h.tend(args), 4, /No program named "ghost"/);
  }
});

test('starting a running program or reusing its name fails with 5', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const running = await startRunning(h, 'web');

  assertOneLineError(
    await h.tend(['start', 'web']),
    5,
    new RegExp(`already running \\(pid ${running.pid}\\)`),
  );
  assertOneLineError(
    await h.tend(['start', '--name', 'web', '--', fixture('sleeper.sh')]),
    5,
    /A program named "web" already exists/,
  );

  const stopped = await h.tend(['stop', 'web']);
  assert.equal(stopped.code, 0, stopped.stderr);
  assertOneLineError(await h.tend(['signal', 'HUP', 'web']), 5, /is not running \(stopped\)/);
});
