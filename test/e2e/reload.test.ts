import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
// The benchmark's keep-alive client: retries only a request that a reused connection lost unanswered.
import { startLoad } from '../../bench/reload/load.mjs';
import {
  assertStays,
  createProgram,
  createTendHome,
  fixture,
  getFreePort,
  getProgram,
  isAlive,
  ROOT,
  waitFor,
  waitForProgram,
} from './helpers.js';

// tend reload: a new process on the held socket, ready before the old one stops; one instance at a
// time; a new process that fails leaves the old one running; a self-reloading program gets its
// signal; a main process that hands over (MAINPID=) is followed.

const NODE_SERVER = join(ROOT, 'examples/held-socket/server.mjs');

test('a rolling reload of 3 instances under load fails no request', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const port = await getFreePort();
  for (const instance of [0, 1, 2]) {
    await createProgram(h, {
      name: `web-${instance}`,
      instanceOf: 'web',
      instance,
      command: ['node', NODE_SERVER],
      startSecs: '300ms',
      sockets: [`tcp://127.0.0.1:${port}`],
    });
  }
  const names = ['web-0', 'web-1', 'web-2'];
  const before = await Promise.all(
    names.map((name) => waitForProgram(h, name, (row) => row.state === 'running', 10_000, 'running')),
  );
  const load = startLoad({ port, connections: 4 });
  const reloaded = await h.tend(['reload', 'web'], { timeoutMs: 60_000 });
  const stats = await load.stop();
  assert.equal(reloaded.code, 0, reloaded.stderr);
  const after = await Promise.all(names.map((name) => getProgram(h, name)));
  for (const [index, row] of after.entries()) {
    assert.equal(row.state, 'running');
    assert.notEqual(row.pid, before[index]?.pid, `${row.name} runs a new process`);
    const old = before[index]?.pid as number;
    await waitFor(() => !isAlive(old), 10_000, `${row.name}'s old process (${old}) to finish and exit`);
  }
  assert.ok(stats.ok > 50, `the load ran (${stats.ok} answered)`);
  assert.equal(stats.failed, 0, `no failed request (${JSON.stringify(Object.fromEntries(stats.errors))})`);
});

test('a reload whose new process fails keeps the old one and says why', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const port = await getFreePort();
  const broken = join(h.home, 'broken');
  await createProgram(h, {
    name: 'api',
    command: `test -e ${broken} && exit 1; exec node ${NODE_SERVER}`,
    startSecs: '300ms',
    sockets: [`tcp://127.0.0.1:${port}`],
  });
  const running = await waitForProgram(h, 'api', (row) => row.state === 'running', 10_000, 'running');
  writeFileSync(broken, '');
  const reloaded = await h.tend(['reload', 'api']);
  assert.equal(reloaded.code, 1);
  assert.match(
    reloaded.stderr,
    /Program "api" was not reloaded: reload failed: the new process exited with code 1 before it was ready; the old process still runs/,
  );
  const after = await getProgram(h, 'api');
  assert.deepEqual([after.state, after.pid, after.restarts], ['running', running.pid, 0]);
});

test('a program with reloadSignal gets the signal and keeps its process', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const marks = join(h.home, 'hups');
  await createProgram(h, {
    name: 'selfie',
    command: ['sh', '-c', `trap 'echo hup >> ${marks}' HUP; while :; do sleep 0.1; done`],
    startSecs: '100ms',
    reloadSignal: 'HUP',
  });
  const running = await waitForProgram(h, 'selfie', (row) => row.state === 'running', 10_000, 'running');
  const reloaded = await h.tend(['reload', 'selfie']);
  assert.equal(reloaded.code, 0, reloaded.stderr);
  await waitFor(() => readFileSync(marks, 'utf8').includes('hup'), 5000, 'the HUP');
  assert.equal((await getProgram(h, 'selfie')).pid, running.pid);
});

test('a main process that hands over with MAINPID= is followed, not taken for a crash', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await createProgram(h, {
    name: 'nginxish',
    command: ['python3', fixture('mainpid-handover.py')],
    ready: 'notify',
  });
  const first = await waitForProgram(h, 'nginxish', (row) => row.state === 'running', 10_000, 'running');
  const followed = await waitForProgram(
    h,
    'nginxish',
    (row) => row.pid !== first.pid,
    10_000,
    'a new main pid',
  );
  await waitFor(() => !isAlive(first.pid as number), 5000, 'the first process to leave');
  await assertStays(
    async () => {
      const row = await getProgram(h, 'nginxish');
      return row.state === 'running' && row.pid === followed.pid && row.restarts === 0;
    },
    1000,
    'the successor to stay the main process, with no restart',
  );
  assert.equal((await h.tend(['stop', 'nginxish'])).code, 0);
  await waitFor(() => !isAlive(followed.pid as number), 5000, 'the successor to stop with the program');
});
