import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../../test/e2e/helpers.js';
import { type FoundLeader, findProgramLeaders, pickLostSpawn } from './lost-spawns.js';

const leader = (pid: number, procStartTime: number, startedAt: number): FoundLeader => ({
  pid,
  ppid: 1,
  procStartTime,
  startedAt,
});

test('the lost spawn is the newest leader started since the record was written', () => {
  const savedAt = 100_000;
  const leaders = [leader(10, 500, 90_000), leader(11, 900, 100_500), leader(12, 700, 99_500)];
  assert.deepEqual(pickLostSpawn(leaders, savedAt, new Set()), {
    pid: 11,
    pgid: 11,
    procStartTime: 900,
    startedAt: 100_500,
  });
});

test('a leader older than the record (a leftover of an earlier run) is never picked', () => {
  assert.equal(pickLostSpawn([leader(10, 500, 90_000)], 100_000, new Set()), null);
  assert.equal(pickLostSpawn(undefined, 100_000, new Set()), null);
});

test('a pid that another record already holds is not picked', () => {
  assert.equal(pickLostSpawn([leader(11, 900, 100_500)], 100_000, new Set([11])), null);
});

test('findProgramLeaders finds a session leader by its TEND_HOME and TEND_PROGRAM, not its children', {
  skip: process.platform !== 'linux',
}, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'tend-unit-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  // The leader starts a child that calls setsid too: it belongs to the leader, not to a program.
  const child = spawn('/bin/sh', ['-c', 'setsid sleep 30 & echo $!; exec sleep 30'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, TEND_HOME: home, TEND_PROGRAM: 'worker' },
  });
  const grandchild = await new Promise<number>((resolve) =>
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
  );
  t.after(() => {
    for (const pid of [-(child.pid ?? 0), grandchild]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  });
  // The exclusion is tested only once the grandchild really leads a session of its own.
  const leadsSession = (pid: number) =>
    readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.split(' ')[3] === String(pid);
  await waitFor(
    () => leadsSession(grandchild) && leadsSession(child.pid ?? 0),
    2000,
    'the leader and its setsid’d grandchild',
  );
  const found = findProgramLeaders(home);
  const leaders = found.get('worker') ?? [];
  assert.deepEqual(
    leaders.map((entry) => entry.pid),
    [child.pid],
  );
  const started = leaders[0]?.startedAt ?? 0;
  assert.ok(
    Math.abs(started - Date.now()) < 5000,
    `start time ${new Date(started).toISOString()} is about now`,
  );
  assert.equal(findProgramLeaders(`${home}-other`).size, 0, 'another home has no programs here');
});
