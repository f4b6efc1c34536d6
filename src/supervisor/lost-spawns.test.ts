import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { waitFor } from '../../test/e2e/helpers.js';
import { FakeProcReader } from '../proc/fake-proc-reader.js';
import { nodeProcReader } from '../proc/proc-reader.js';
import type { SpawnIntent } from '../program-record.js';
import { type ProcessFacts, pickLostSpawn, readProcesses } from './lost-spawns.js';

const INTENT: SpawnIntent = { id: 'secret-1', uid: 1000, at: 100_000 };

function table(...rows: Partial<ProcessFacts>[]): Map<number, ProcessFacts> {
  return new Map(
    rows.map((row, index) => {
      const pid = row.pid ?? 10 + index;
      const facts: ProcessFacts = {
        pid,
        ppid: 1,
        session: pid,
        uid: 1000,
        procStartTime: 500,
        startedAt: 100_100,
        spawnId: 'secret-1',
        ...row,
      };
      return [pid, facts];
    }),
  );
}

test('the lost spawn is the session leader that carries the intent’s secret', () => {
  assert.deepEqual(pickLostSpawn(INTENT, table({ pid: 10 })), {
    pid: 10,
    pgid: 10,
    procStartTime: 500,
    startedAt: 100_100,
  });
});

test('without the secret there is no lost spawn, whatever TEND_HOME and TEND_PROGRAM say', () => {
  assert.equal(pickLostSpawn(INTENT, table({ spawnId: null }, { spawnId: 'guessed' })), null);
});

test('another uid carrying the secret is not taken', () => {
  assert.equal(pickLostSpawn(INTENT, table({ uid: 1001 })), null);
});

test('a process started long before or after the intent is not taken', () => {
  assert.equal(pickLostSpawn(INTENT, table({ startedAt: 90_000 })), null);
  assert.equal(pickLostSpawn(INTENT, table({ startedAt: 110_000 })), null);
});

test('a helper that called setsid descends from the main process: the main is taken, never it', () => {
  const processes = table(
    { pid: 10 },
    { pid: 11, ppid: 20, session: 20 },
    { pid: 20, ppid: 10, session: 20 },
  );
  // pid 20: a setsid'd helper (its parent is the main, 10); pid 11 is its child, not a leader.
  assert.equal(pickLostSpawn(INTENT, processes)?.pid, 10);
});

test('two unrelated candidates: none is taken', () => {
  assert.equal(pickLostSpawn(INTENT, table({ pid: 10 }, { pid: 11 })), null);
});

test('a process that is not a session leader is not a main process', () => {
  assert.equal(pickLostSpawn(INTENT, table({ pid: 10, session: 9 })), null);
});

test('readProcesses reads the uid and the secret of session leaders only, in one pass', () => {
  const proc = new FakeProcReader();
  proc.add(10, { uid: 1000, startTime: 500, env: { TEND_SPAWN_ID: 'secret-1', PATH: '/bin' } });
  proc.add(11, { ppid: 10, session: 10, uid: 1000, env: { TEND_SPAWN_ID: 'secret-1' } });
  const processes = readProcesses(proc);
  assert.equal(proc.scans, 1);
  assert.deepEqual(processes.get(10), {
    pid: 10,
    ppid: 1,
    session: 10,
    uid: 1000,
    procStartTime: 500,
    startedAt: proc.bootTimeMs + 5000,
    spawnId: 'secret-1',
  });
  // A child inherits the secret, but only a session leader can be a main process: it is not read.
  assert.equal(processes.get(11)?.spawnId, null);
  assert.equal(processes.get(11)?.uid, -1);
});

test('readProcesses leaves out what /proc cannot describe, and reads no secret it may not read', () => {
  const proc = new FakeProcReader();
  proc.add(10, { unreadable: true, env: { TEND_SPAWN_ID: 'secret-1' } });
  proc.add(12, { uid: 1000, env: null });
  const processes = readProcesses(proc);
  assert.equal(processes.has(10), false);
  assert.equal(processes.get(12)?.spawnId, null);
});

test('the lost spawn is found through the reader: the leader with the secret, not its setsid’d helper', () => {
  const proc = new FakeProcReader();
  const at = proc.bootTimeMs + 5000;
  proc.add(10, { uid: 1000, startTime: 500, env: { TEND_SPAWN_ID: 'secret-1' } });
  proc.add(20, { ppid: 10, uid: 1000, startTime: 510, env: { TEND_SPAWN_ID: 'secret-1' } });
  proc.add(30, { uid: 1000, startTime: 500, env: { TEND_HOME: '/home', TEND_PROGRAM: 'web' } });
  assert.deepEqual(pickLostSpawn({ id: 'secret-1', uid: 1000, at }, readProcesses(proc)), {
    pid: 10,
    pgid: 10,
    procStartTime: 500,
    startedAt: at,
  });
});

test('readProcesses reads the secret and the uid of a real session leader, not of its children', {
  skip: process.platform !== 'linux',
}, async (t) => {
  const child = spawn('/bin/sh', ['-c', 'sleep 30 & exec sleep 30'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, TEND_SPAWN_ID: 'unit-secret' },
  });
  t.after(() => {
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    } catch {}
  });
  const leader = await waitFor(() => readProcesses(nodeProcReader).get(child.pid ?? 0), 2000, 'the leader');
  assert.equal(leader.spawnId, 'unit-secret');
  assert.equal(leader.uid, process.getuid?.());
  assert.ok(Math.abs(leader.startedAt - Date.now()) < 5000, 'its start time is about now');
  const picked = pickLostSpawn(
    { id: 'unit-secret', uid: process.getuid?.() ?? 0, at: Date.now() },
    readProcesses(nodeProcReader),
  );
  assert.equal(picked?.pid, child.pid);
});
