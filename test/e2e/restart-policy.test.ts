import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  assertStays,
  createProgram,
  createTendHome,
  findGroupMembers,
  fixture,
  getEvents,
  getProgram,
  isAlive,
  readLog,
  waitFor,
  waitForProgram,
} from './helpers.js';

// What happens after a program exits on its own: restart at once, back off, give up, or stay exited.

test('a program killed by SIGKILL after a stable run is restarted at once with the signal recorded', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await createProgram(h, {
    name: 'crashy',
    command: [fixture('sleeper.sh')],
    backoff: { resetAfter: '200ms' },
    startSecs: '50ms',
  });
  const first = await waitForProgram(
    h,
    'crashy',
    (row) => row.state === 'running' && (row.uptimeMs ?? 0) >= 300,
    5000,
    'up for longer than the reset window',
  );
  assert.ok(first.pid !== null);
  await waitFor(async () => (await readLog(h.home, 'crashy', 'out')) === 'ready\n', 5000, 'ready');

  process.kill(first.pid, 'SIGKILL');
  const second = await waitForProgram(
    h,
    'crashy',
    (row) => row.pid !== null && row.pid !== first.pid,
    2000,
    'a new pid',
  );
  assert.equal(second.restarts, 1);
  assert.equal(second.signal, 'SIGKILL');
  assert.equal(second.exitCode, null);
  assert.ok(isAlive(second.pid ?? -1));
  // The sleeper's own child was in the old process group; it is cleaned up, not left beside the new run.
  await waitFor(
    () => findGroupMembers(first.pid ?? -1).length === 0,
    2000,
    'the old process group to be empty',
  );

  const events = await getEvents(h, 'crashy');
  const exit = events.find((event) => event.event === 'exit' && event.pid === first.pid);
  assert.ok(exit, 'the exit is in the history');
  assert.equal(exit.exitSignal, 'SIGKILL');
  assert.equal(exit.exitCode, null);
  assert.equal(exit.from, 'running');
  assert.equal(exit.to, 'starting', 'restarted in the same step, without backoff');
  assert.equal(exit.message, 'killed by SIGKILL');

  const listed = await h.tend(['ls']);
  assert.match(listed.stdout, /^crashy\s.*\s1\s+SIGKILL\b/m, 'the table shows one restart and the signal');
});

test('a program that fails at once is retried with growing delays and waits in backoff between tries', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await createProgram(h, {
    name: 'flappy',
    command: [fixture('crash.sh'), '1'],
    backoff: { initial: '100ms', multiplier: 2, max: '10s' },
    startSecs: '1s',
  });

  const waiting = await waitForProgram(h, 'flappy', (row) => row.state === 'backoff', 5000, 'backoff');
  assert.equal(waiting.pid, null);
  assert.equal(waiting.exitCode, 1);
  assert.match(waiting.reason ?? '', /^exited with code 1; retrying in \d+ ms$/);

  const events = await waitFor(
    async () => {
      const all = await getEvents(h, 'flappy');
      return all.filter((event) => event.event === 'exit').length >= 4 ? all : false;
    },
    10_000,
    'four exits',
  );
  const stopped = await h.tend(['stop', 'flappy']);
  assert.equal(stopped.code, 0, stopped.stderr);

  const delaysMs: number[] = [];
  for (const [index, event] of events.entries()) {
    if (event.event !== 'exit') continue;
    assert.equal(event.to, 'backoff');
    assert.equal(typeof event.pid, 'number', 'an exit names the pid that exited');
    const elapsed = events.slice(index + 1).find((later) => later.event === 'backoff-elapsed');
    if (elapsed) delaysMs.push(elapsed.time - event.time);
  }
  assert.ok(delaysMs.length >= 3, `at least three waits (${delaysMs})`);
  const expectedMs = [100, 200, 400];
  for (const [index, expected] of expectedMs.entries()) {
    const actual = delaysMs[index] ?? 0;
    assert.ok(actual >= expected - 5 && actual < expected + 400, `wait ${index + 1} was ${actual} ms`);
  }
  assert.ok(
    (delaysMs[0] ?? 0) < (delaysMs[1] ?? 0) && (delaysMs[1] ?? 0) < (delaysMs[2] ?? 0),
    `delays grow: ${delaysMs}`,
  );
  const reasons = events.filter((event) => event.event === 'exit').map((event) => event.message);
  assert.deepEqual(reasons.slice(0, 3), [
    'exited with code 1; retrying in 100 ms',
    'exited with code 1; retrying in 200 ms',
    'exited with code 1; retrying in 400 ms',
  ]);
});

test('--give-up makes a crashing program fatal after that many failed starts, and it stays down', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--no-wait',
    '--name',
    'doomed',
    '--give-up',
    '3/1m',
    '--',
    fixture('crash.sh'),
    '1',
  ]);
  assert.equal(started.code, 0, started.stderr);

  const fatal = await waitForProgram(h, 'doomed', (row) => row.state === 'fatal', 10_000, 'fatal');
  assert.equal(fatal.pid, null);
  assert.equal(fatal.restarts, 2);
  assert.equal(fatal.exitCode, 1);
  assert.match(fatal.reason ?? '', /gave up after 3 failed starts/);

  const countExits = async () => (await getEvents(h, 'doomed')).filter((e) => e.event === 'exit').length;
  assert.equal(await countExits(), 3);
  // The next retry would have come after 1 s of backoff: watch for longer than that.
  await assertStays(
    async () => (await getProgram(h, 'doomed')).state === 'fatal' && (await countExits()) === 3,
    1500,
    'doomed to stay fatal with three exits',
  );
  assert.equal(await readLog(h.home, 'doomed', 'out'), 'exiting with 1\n'.repeat(3));
});

test('--restart never leaves a program exited with its exit code', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--no-wait',
    '--name',
    'once',
    '--restart',
    'never',
    '--',
    fixture('crash.sh'),
    '3',
  ]);
  assert.equal(started.code, 0, started.stderr);

  const exited = await waitForProgram(h, 'once', (row) => row.state === 'exited', 5000, 'exited');
  assert.equal(exited.exitCode, 3);
  assert.equal(exited.signal, null);
  assert.equal(exited.restarts, 0);
  assert.equal(exited.reason, 'exited with code 3');
  await assertStays(async () => (await getProgram(h, 'once')).state === 'exited', 600, 'once to stay exited');
});

test('--restart on-failure leaves a clean exit alone', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--no-wait',
    '--name',
    'job',
    '--restart',
    'on-failure',
    '--',
    fixture('crash.sh'),
    '0',
  ]);
  assert.equal(started.code, 0, started.stderr);

  const exited = await waitForProgram(h, 'job', (row) => row.state === 'exited', 5000, 'exited');
  assert.equal(exited.exitCode, 0);
  assert.equal(exited.restarts, 0);
  await assertStays(async () => (await getProgram(h, 'job')).state === 'exited', 600, 'job to stay exited');
});

test('--restart on-failure restarts a program that exits with a failure code', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--no-wait',
    '--name',
    'job',
    '--restart',
    'on-failure',
    '--',
    fixture('crash.sh'),
    '3',
  ]);
  assert.equal(started.code, 0, started.stderr);

  const restarted = await waitForProgram(h, 'job', (row) => row.restarts >= 1, 5000, 'a restart');
  assert.equal(restarted.exitCode, 3);
  await waitFor(
    async () => (await getEvents(h, 'job')).filter((event) => event.event === 'exit').length >= 2,
    5000,
    'a second exit',
  );
});

test('--success-codes makes a listed exit code a success for on-failure', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--no-wait',
    '--name',
    'job',
    '--restart',
    'on-failure',
    '--success-codes',
    '0,3',
    '--',
    fixture('crash.sh'),
    '3',
  ]);
  assert.equal(started.code, 0, started.stderr);

  const exited = await waitForProgram(h, 'job', (row) => row.state === 'exited', 5000, 'exited');
  assert.equal(exited.exitCode, 3);
  assert.equal(exited.restarts, 0);
  const detail = await h.tendJson<{ successExitCodes: number[] }>(['show', 'job']);
  assert.deepEqual(detail.successExitCodes, [0, 3]);
});

test('--restart always restarts even a clean exit', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend(['start', '--no-wait', '--name', 'loop', '--', fixture('crash.sh'), '0']);
  assert.equal(started.code, 0, started.stderr);

  const restarted = await waitForProgram(h, 'loop', (row) => row.restarts >= 1, 5000, 'a restart');
  assert.equal(restarted.exitCode, 0);
});

test('a restarted program never runs beside the leftovers of its previous run', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const pidFile = join(h.home, 'grandchild.pid');
  await createProgram(h, {
    name: 'tree',
    command: [fixture('forks-grandchild.sh'), pidFile],
    backoff: { initial: '100ms' },
    startSecs: '50ms',
  });
  const first = await waitForProgram(h, 'tree', (row) => row.state === 'running', 5000, 'running');
  const grandchild = await waitFor(
    async () => Number((await readFile(pidFile, 'utf8').catch(() => '')).trim()),
    5000,
    'the grandchild pid file',
  );
  assert.ok(first.pid !== null && isAlive(grandchild));

  process.kill(first.pid, 'SIGKILL');
  await waitForProgram(h, 'tree', (row) => row.pid !== null && row.pid !== first.pid, 3000, 'a new pid');
  await waitFor(() => !isAlive(grandchild), 2000, 'the old grandchild to be killed');
});
