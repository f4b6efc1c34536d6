import assert from 'node:assert/strict';
import { test } from 'node:test';
import { programInputSchema } from '../config/program-schema.js';
import { FakeProcReader } from '../proc/fake-proc-reader.js';
import type { SpawnIntent } from '../program-record.js';
import type { SavedProgram } from '../store/program-store.js';
import { findLostSpawns } from './restore-helpers.js';

const BOOT_MS = 1_700_000_000_000;

function makeRecord(name: string, spawnIntent: SpawnIntent | null): SavedProgram {
  const spec = { ...programInputSchema.parse({ name, command: ['sleep', '30'] }), cwd: '/srv' };
  return {
    spec,
    state: 'starting',
    savedState: 'starting',
    savedAt: BOOT_MS,
    desired: 'running',
    runtime: { pid: null, pgid: null, procStartTime: null, startedAt: null },
    restarts: 0,
    exitCode: null,
    exitSignal: null,
    reason: null,
    consecutiveFailures: 0,
    recentFailures: [],
    adopted: false,
    statusText: null,
    health: null,
    spawnIntent,
  };
}

test('without a pending spawn intent, restore does not read /proc at all', () => {
  const proc = new FakeProcReader();
  proc.add(10, { uid: 1000, env: { TEND_SPAWN_ID: 'secret-1' } });
  const found = findLostSpawns([makeRecord('web', null)], new Set(), proc, () => {});
  assert.equal(found.size, 0);
  assert.equal(proc.scans, 0);
});

test('a pending spawn intent finds the process that carries its secret, in one pass for all records', () => {
  const proc = new FakeProcReader();
  proc.bootTimeMs = BOOT_MS;
  proc.add(10, { uid: 1000, startTime: 100, env: { TEND_SPAWN_ID: 'secret-web' } });
  proc.add(11, { uid: 1000, startTime: 100, env: { TEND_SPAWN_ID: 'secret-worker' } });
  const records = [
    makeRecord('web', { id: 'secret-web', uid: 1000, at: BOOT_MS + 1000 }),
    makeRecord('worker', { id: 'secret-worker', uid: 1000, at: BOOT_MS + 1000 }),
  ];
  const found = findLostSpawns(records, new Set(), proc, () => {});
  assert.equal(proc.scans, 1);
  assert.equal(found.get('web')?.pid, 10);
  assert.equal(found.get('worker')?.pid, 11);
});

test('a record whose process is alive is not looked for; one with no proof is said so and left', () => {
  const proc = new FakeProcReader();
  proc.bootTimeMs = BOOT_MS;
  proc.add(10, { uid: 1001, startTime: 100, env: { TEND_SPAWN_ID: 'secret-web' } });
  const live = makeRecord('api', { id: 'secret-api', uid: 1000, at: BOOT_MS });
  const notes: string[] = [];
  const found = findLostSpawns(
    [live, makeRecord('web', { id: 'secret-web', uid: 1000, at: BOOT_MS + 1000 })],
    new Set([live]),
    proc,
    (message) => notes.push(message),
  );
  assert.equal(found.size, 0, 'pid 10 runs as another uid');
  assert.deepEqual(notes, ['web: its last spawn left no process that proves it is that spawn']);
});
