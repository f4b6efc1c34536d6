import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import {
  createTendHome,
  findProcesses,
  isAlive,
  killDaemon,
  killQuietly,
  startRunning,
  type TendHome,
  waitFor,
  waitForProgram,
} from './helpers.js';
import { createSecondUser, IS_ROOT, NOT_ROOT_REASON } from './second-user.js';

// Issue 9, items 4 and 5: the daemon adopts only a process it can prove it started. Environment
// is not identity: another user's process that says TEND_HOME and TEND_PROGRAM (even with the
// right spawn secret) is never taken, nor is a program's own setsid'd helper.

async function startImpostor(
  home: string,
  user: { uid: number; gid: number },
  extraEnv: Record<string, string> = {},
): Promise<number> {
  const fake = spawn('sleep', ['601'], {
    detached: true,
    stdio: 'ignore',
    cwd: '/',
    uid: user.uid,
    gid: user.gid,
    env: { TEND_HOME: home, TEND_PROGRAM: 'web', ...extraEnv },
  });
  fake.unref();
  const pid = fake.pid ?? -1;
  await waitFor(() => isAlive(pid), 2000, 'his process');
  return pid;
}

async function assertNotAdopted(h: TendHome, impostor: number): Promise<void> {
  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const web = await waitForProgram(h, 'web', (row) => row.state === 'running', 5000, 'running');
  assert.notEqual(web.pid, impostor, 'his process is not adopted as web');
  assert.equal(web.adopted, false, 'the real web was started');
  assert.ok(isAlive(impostor), 'and his process is left alone');
  killQuietly(impostor);
  await waitFor(() => !isAlive(impostor), 2000, 'his process to go');
}

test('a process of another user that claims to be a program is not adopted', {
  skip: !IS_ROOT && NOT_ROOT_REASON,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const user = createSecondUser(t);
  await startRunning(h, 'web');
  // The attack from the issue: after `tend daemon stop`, u starts his own "web".
  assert.equal((await h.tend(['daemon', 'stop'])).code, 0);
  const impostor = await startImpostor(h.home, user);
  t.after(() => killQuietly(impostor));
  await assertNotAdopted(h, impostor);
});

test('even with a pending spawn’s secret, a process of the wrong uid is not adopted', {
  skip: !IS_ROOT && NOT_ROOT_REASON,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const user = createSecondUser(t);
  await startRunning(h, 'web');
  assert.equal((await h.tend(['daemon', 'stop'])).code, 0);
  // A spawn intent left pending (as by a daemon killed between fork and write), its secret leaked.
  const secret = 'f'.repeat(32);
  const db = new Database(join(h.home, 'tend.db'));
  db.prepare('UPDATE programs SET spawn_id = ?, spawn_uid = 0, spawn_at = ? WHERE name = ?').run(
    secret,
    Date.now(),
    'web',
  );
  db.close();
  const impostor = await startImpostor(h.home, user, { TEND_SPAWN_ID: secret });
  t.after(() => killQuietly(impostor));
  await assertNotAdopted(h, impostor);
});

test('a program’s own setsid’d helper is never adopted as the program', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const first = await startRunning(h, 'esc', ['/bin/sh', '-c', 'setsid sleep 1008 & exec sleep 3600']);
  const helper = await waitFor(
    () => findProcesses(h.home, { TEND_PROGRAM: 'esc' }).find((info) => info.cmdline === 'sleep 1008'),
    5000,
    'the helper',
  );
  t.after(() => killQuietly(helper.pid));
  await killDaemon(h);
  killQuietly(first.pid ?? -1);
  await waitFor(() => !isAlive(first.pid ?? -1), 2000, 'the main process to die');

  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const esc = await waitForProgram(
    h,
    'esc',
    (row) => row.state === 'running' && row.pid !== null,
    5000,
    'running',
  );
  assert.notEqual(esc.pid, helper.pid, 'the helper is not taken for the main process');
  assert.notEqual(esc.pid, first.pid);
  assert.equal(esc.adopted, false, 'the program was started again, as its policy says');
  // Helpers in sessions of their own outlive a stop until the process layer tracks them (issue 10).
  const helpers = () =>
    findProcesses(h.home, { TEND_PROGRAM: 'esc' }).filter((info) => info.cmdline === 'sleep 1008');
  for (const info of helpers()) killQuietly(info.pid);
  await waitFor(() => helpers().length === 0, 2000, 'the helpers to go');
});
