import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { getNativeHelper } from '../../src/native.js';
import {
  assertCountsUp,
  assertStays,
  createTendHome,
  type DaemonStatus,
  findProcesses,
  fixture,
  getCompleteLines,
  isAlive,
  isGroupLeader,
  killDaemon,
  killQuietly,
  type ProgramRow,
  readLog,
  startRunning,
  waitFor,
  waitForProgram,
} from './helpers.js';

// A daemon that dies (SIGKILL, no cleanup at all) loses nothing: the next one adopts the programs.

test('a new daemon adopts programs left by a SIGKILLed one, without duplicates or lost output', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const before = [await startRunning(h, 'counter', [fixture('counter.sh')]), await startRunning(h, 'web')];
  await waitFor(
    async () => getCompleteLines(await readLog(h.home, 'counter', 'out')).length >= 10,
    5000,
    'the counter to write',
  );
  const oldDaemonPid = await killDaemon(h);
  for (const row of before) assert.ok(isAlive(row.pid ?? -1), `${row.name} outlives its daemon`);
  // While no daemon runs, the counter keeps writing into its FIFO.
  const writtenBefore = getCompleteLines(await readLog(h.home, 'counter', 'out')).length;

  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const after = await h.tendJson<ProgramRow[]>(['ls']);
  const newDaemon = await h.tendJson<DaemonStatus & { pid: number }>(['daemon', 'status']);
  assert.notEqual(newDaemon.pid, oldDaemonPid);
  for (const row of after) {
    const previous = before.find((candidate) => candidate.name === row.name);
    assert.equal(row.pid, previous?.pid, `${row.name} keeps its pid`);
    assert.equal(row.state, 'running');
    assert.equal(row.adopted, true);
    assert.equal(row.restarts, 0);
    const leaders = findProcesses(h.home, { TEND_PROGRAM: row.name }).filter((info) =>
      isGroupLeader(info.pid),
    );
    assert.deepEqual(
      leaders.map((info) => info.pid),
      [row.pid],
      `exactly one ${row.name} process`,
    );
  }

  const lines = await waitFor(
    async () => {
      const complete = getCompleteLines(await readLog(h.home, 'counter', 'out'));
      return complete.length >= writtenBefore + 50 ? complete : false;
    },
    5000,
    'the counter log to keep growing under the new daemon',
  );
  assertCountsUp(lines);

  // The adopted program is not the new daemon's child; its death is still noticed and acted on.
  const web = after.find((row) => row.name === 'web');
  assert.ok(web?.pid);
  const killedAt = performance.now();
  process.kill(web.pid, 'SIGKILL');
  const restarted = await waitForProgram(
    h,
    'web',
    (row) => row.pid !== null && row.pid !== web.pid,
    3000,
    'a new pid after its adopted process died',
  );
  const noticedMs = performance.now() - killedAt;
  // Its child still holds the FIFOs, so no EOF tells: a pidfd does at once, else a 1 s check.
  const boundMs = getNativeHelper()?.watchExit ? 600 : 2000;
  assert.ok(
    noticedMs < boundMs,
    `restarted ${Math.round(noticedMs)} ms after the kill (bound ${boundMs} ms)`,
  );
  assert.equal(restarted.adopted, false);
  assert.equal(restarted.restarts, 1);
  assert.ok(isAlive(restarted.pid ?? -1));
  await waitFor(
    () =>
      findProcesses(h.home, { TEND_PROGRAM: 'web' }).every(
        (info) => info.pid === restarted.pid || !isGroupLeader(info.pid),
      ),
    2000,
    'no leftover web process',
  );
});

test('a program that died while no daemon ran is restarted by the next daemon', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const first = await startRunning(h, 'web');
  await killDaemon(h);
  process.kill(-(first.pid ?? 0), 'SIGKILL');
  await waitFor(() => !isAlive(first.pid ?? -1), 2000, 'the program to die');

  const listed = await h.tend(['daemon', 'start']);
  assert.equal(listed.code, 0, listed.stderr);
  const second = await waitForProgram(
    h,
    'web',
    (row) => row.state === 'running' && row.pid !== first.pid,
    5000,
    'running with a new pid',
  );
  assert.equal(second.adopted, false);
  assert.equal(second.exitCode, null, 'the exit status of a process nobody watched is unknown');
  assert.equal(second.signal, null);
});

test('a recorded pid that now belongs to another process is not adopted (the start time differs)', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const first = await startRunning(h, 'web');
  await killDaemon(h);
  process.kill(-(first.pid ?? 0), 'SIGKILL');
  await waitFor(() => !isAlive(first.pid ?? -1), 2000, 'the program to die');
  // Pid reuse, made on purpose: the record now names a live process that is not the program.
  const imposter = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
  t.after(() => killQuietly(imposter.pid ?? -1));
  const db = new Database(join(h.home, 'tend.db'));
  db.prepare('UPDATE programs SET pid = ?, pgid = ? WHERE name = ?').run(imposter.pid, imposter.pid, 'web');
  db.close();

  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const second = await waitForProgram(
    h,
    'web',
    (row) => row.state === 'running' && row.pid !== null,
    5000,
    'running',
  );
  assert.notEqual(second.pid, imposter.pid, 'the other process was not taken for the program');
  assert.equal(second.adopted, false);
  assert.ok(isAlive(imposter.pid ?? -1), 'and it was left alone');
});

test('a program the dead daemon spawned but never recorded is adopted, not started twice', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const first = await startRunning(h, 'web');
  const daemon = await h.tendJson<DaemonStatus & { pid: number }>(['daemon', 'status']);

  // What a daemon SIGKILLed between fork() and its database write leaves behind: the recorded
  // process is dead, the record holds the spawn intent (a secret, the uid), and the replacement (a
  // session leader carrying the secret as TEND_SPAWN_ID) runs with no record pointing at it.
  process.kill(daemon.pid, 'SIGKILL');
  await waitFor(() => !isAlive(daemon.pid), 2000, 'the daemon to die');
  process.kill(-(first.pid ?? 0), 'SIGKILL');
  await waitFor(() => !isAlive(first.pid ?? -1), 2000, 'the program to die');
  const secret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const db = new Database(join(h.home, 'tend.db'));
  db.prepare('UPDATE programs SET spawn_id = ?, spawn_uid = ?, spawn_at = ? WHERE name = ?').run(
    secret,
    process.getuid?.() ?? 0,
    Date.now(),
    'web',
  );
  db.close();
  const lost = spawn(fixture('sleeper.sh'), [], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, TEND_HOME: h.home, TEND_PROGRAM: 'web', TEND_SPAWN_ID: secret },
  });
  lost.unref();
  t.after(() => killQuietly(-(lost.pid ?? 0)));
  await waitFor(() => isGroupLeader(lost.pid ?? -1), 2000, 'the lost spawn to run');

  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const rows = await h.tendJson<ProgramRow[]>(['ls']);
  const web = rows.find((row) => row.name === 'web');
  assert.equal(web?.pid, lost.pid, 'the new daemon adopts the lost spawn');
  assert.equal(web?.state, 'running');
  assert.equal(web?.adopted, true);
  assert.equal(web?.restarts, 1, 'the lost spawn replaced a process that died: one restart');
  await assertStays(
    () =>
      findProcesses(h.home, { TEND_PROGRAM: 'web' }).filter((info) => isGroupLeader(info.pid)).length === 1,
    500,
    'exactly one web process',
  );
  const stopped = await h.tend(['stop', 'web']);
  assert.equal(stopped.code, 0, stopped.stderr);
  await waitFor(() => !isAlive(lost.pid ?? -1), 2000, 'the adopted lost spawn to stop');
});
