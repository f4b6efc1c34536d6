import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  assertStays,
  createTendHome,
  fixture,
  getEvents,
  getProgram,
  isAlive,
  waitForProgram,
} from './helpers.js';

// Readiness: STARTING becomes RUNNING only when the program says so, over sd_notify or an fd.

test('a python sd_notify client becomes running only once it sends READY=1, with its STATUS shown', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const mark = join(h.home, 'ready-sent');
  // READY=1 comes well after the 1 s that startSecs (the default readiness) would have waited.
  const started = await h.tend(
    ['start', '--name', 'py', '--ready', 'notify', '--', fixture('notify-client.py')],
    { env: { READY_DELAY: '2.5', READY_MARK: mark } },
  );
  assert.equal(started.code, 0, started.stderr);
  // tend start waits for a ready: notify program to be ready, and says what it waits for.
  assert.ok(existsSync(mark), 'tend start returned only after READY=1');
  assert.match(started.stdout, /py: waiting until it runs \(READY=1 over sd_notify, at most 1m\)/);
  assert.match(started.stdout, /py: running/);
  await waitForProgram(h, 'py', (row) => row.state === 'running', 8000, 'running');
  assert.ok(existsSync(mark), 'running only after the program sent READY=1');
  const rows = await h.tendJson<{ name: string; status: string | null }[]>(['ls']);
  assert.equal(rows[0]?.status, 'serving from python');
  const table = await h.tend(['ls']);
  assert.match(table.stdout, /STATUS/);
  assert.match(table.stdout, /serving from python/);
});

test('the fd protocol: a newline on NOTIFY_FD marks the program ready', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const mark = join(h.home, 'ready-sent');
  // The newline comes well after the 1 s that startSecs (the default readiness) would have waited.
  const script = `sleep 2.5; : > ${mark}; echo >&"$NOTIFY_FD"; exec sleep 1000`;
  const started = await h.tend(['start', '--name', 'fdp', '--ready', 'fd', '--', script]);
  assert.equal(started.code, 0, started.stderr);
  await waitForProgram(h, 'fdp', (row) => row.state === 'running', 8000, 'running');
  assert.ok(existsSync(mark), 'running only after the program wrote its newline');
});

test('a program that never becomes ready is killed at its start timeout and counts as a failed start', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--no-wait',
    '--name',
    'mute',
    '--ready',
    'fd',
    '--start-timeout',
    '400ms',
    '--give-up',
    '1/1m',
    '--',
    fixture('sleeper.sh'),
  ]);
  assert.equal(started.code, 0, started.stderr);
  const pid = (await getProgram(h, 'mute')).pid as number;
  const fatal = await waitForProgram(h, 'mute', (row) => row.state === 'fatal', 5000, 'fatal');
  // Stopped like any stop: its stop signal first (the sleeper exits 0 on SIGTERM), not SIGKILL.
  assert.equal(fatal.signal, null);
  assert.equal(fatal.exitCode, 0);
  assert.ok(!isAlive(pid));
  const events = await getEvents(h, 'mute');
  assert.ok(events.some((event) => /not ready within 400 ms; sent SIGTERM/.test(event.message ?? '')));
  const history = await h.tend(['events', 'mute']);
  assert.match(
    history.stdout,
    /mute {2}starting → starting {2}\(start-timeout[^)]*\) {2}not ready within 400 ms/,
  );
});

test('a program that stops pinging its watchdog is aborted and restarted, and the event says why', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  // Five pings (0.5 s), then silence: the 800 ms watchdog fires.
  const started = await h.tend(
    [
      'start',
      '--no-wait',
      '--name',
      'wd',
      '--ready',
      'notify',
      '--watchdog',
      '800ms',
      '--',
      fixture('notify-client.py'),
      '5',
    ],
    { env: { READY_DELAY: '0.1' } },
  );
  assert.equal(started.code, 0, started.stderr);
  const first = await waitForProgram(h, 'wd', (row) => row.state === 'running', 5000, 'running');
  const restarted = await waitForProgram(
    h,
    'wd',
    (row) => row.restarts >= 1 && row.pid !== first.pid,
    8000,
    'a restart after the watchdog fired',
  );
  assert.equal(restarted.signal, 'SIGABRT');
  const events = await getEvents(h, 'wd');
  assert.ok(
    events.some(
      (event) =>
        event.event === 'watchdog-timeout' && /no WATCHDOG=1 within 800 ms/.test(event.message ?? ''),
    ),
  );
});

test('notify messages from a process outside the program are ignored', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--no-wait',
    '--name',
    'quiet',
    '--ready',
    'notify',
    '--',
    fixture('sleeper.sh'),
  ]);
  assert.equal(started.code, 0, started.stderr);
  const { execFileSync } = await import('node:child_process');
  const socket = `${h.home}/notify/quiet`;
  execFileSync('python3', [
    '-c',
    `import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"READY=1", ${JSON.stringify(socket)})`,
  ]);
  await assertStays(
    async () => (await getProgram(h, 'quiet')).state === 'starting',
    500,
    'quiet to stay starting',
  );
});
