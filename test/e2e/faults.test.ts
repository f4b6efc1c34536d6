import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import {
  assertCountsUp,
  createProgram,
  createTendHome,
  fixture,
  getCompleteLines,
  getEvents,
  isAlive,
  killDaemon,
  killQuietly,
  type ProgramRow,
  readLog,
  startRunning,
  type TendHome,
  waitFor,
  waitForProgram,
} from './helpers.js';

// Bad moments: the daemon killed in the middle of a stop or a restart, a crash that leaves part of
// a program behind.

/** leaves-leftover.sh in its own directory: a main that survives one SIGTERM and a child that ignores it. */
async function startLeaver(h: TendHome, name: string, stopTimeout: string): Promise<ProgramRow> {
  await createProgram(h, {
    name,
    command: [fixture('leaves-leftover.sh'), h.home],
    startSecs: '100ms',
    stopTimeout,
  });
  return waitForProgram(h, name, (row) => row.state === 'running', 5000, 'running');
}

function readLeftover(h: TendHome): number {
  return Number(readFileSync(join(h.home, 'leftover.pid'), 'utf8').trim());
}

/** Sends a request the daemon will not live to answer. */
function sendUnanswered(h: TendHome, path: string): void {
  h.api({ method: 'POST', path, timeoutMs: 60_000 }).catch(() => {});
}

test('a daemon killed while stopping a program: the next one kills what is left of its group', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const row = await startLeaver(h, 'leaver', '60s');
  const leftover = await waitFor(() => readLeftover(h), 5000, 'the child pid');
  sendUnanswered(h, '/v1/programs/leaver/stop');
  await waitFor(() => existsSync(join(h.home, 'got-term')), 5000, 'the stop signal');
  await killDaemon(h);
  // The main exits while no daemon runs; its child, which ignores SIGTERM, stays.
  writeFileSync(join(h.home, 'release'), '');
  await waitFor(() => !isAlive(row.pid ?? -1), 5000, 'the main process to exit');
  assert.ok(isAlive(leftover), 'the child outlived its main process');

  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const after = await getDetail(h, 'leaver');
  assert.equal(after.state, 'stopped');
  assert.equal(after.desired, 'stopped');
  await waitFor(() => !isAlive(leftover), 5000, 'the leftover child to be killed by the next daemon');
});

test('after a crash, leftovers that ignore SIGTERM are dead before the program runs again', async (t) => {
  const h = await createTendHome();
  t.after(async () => {
    writeFileSync(join(h.home, 'release'), '');
    await h.cleanup();
  });
  const row = await startLeaver(h, 'leaver', '10s');
  const leftover = await waitFor(() => readLeftover(h), 5000, 'the child pid');
  await killDaemon(h);
  killQuietly(row.pid ?? -1);
  await waitFor(() => !isAlive(row.pid ?? -1), 5000, 'the main process to die');
  assert.ok(isAlive(leftover));

  await h.tend(['daemon', 'start']);
  const restarted = await waitForProgram(
    h,
    'leaver',
    (candidate) => candidate.state === 'running' && candidate.pid !== row.pid,
    10_000,
    'a new run',
  );
  await waitFor(() => readLeftover(h) !== leftover, 5000, 'the new run to start its child');
  assert.equal(existsSync(join(h.home, 'beside')), false, 'the new run found the old child still running');
  assert.ok(!isAlive(leftover));
  assert.notEqual(restarted.pid, null);
});

test('a daemon killed during a restart: the next one finishes the restart instead of stopping', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const row = await startLeaver(h, 'leaver', '60s');
  sendUnanswered(h, '/v1/programs/leaver/restart');
  await waitFor(() => existsSync(join(h.home, 'got-term')), 5000, 'the stop signal of the restart');
  await killDaemon(h);
  assert.ok(isAlive(row.pid ?? -1), 'the main survived the first SIGTERM');

  // The next daemon adopts it mid-restart; its second SIGTERM ends it, and it must start again.
  await h.tend(['daemon', 'start']);
  const restarted = await waitForProgram(
    h,
    'leaver',
    (candidate) => candidate.pid !== null && candidate.pid !== row.pid && candidate.state === 'running',
    10_000,
    'running again with a new pid',
  );
  assert.equal((await getDetail(h, 'leaver')).desired, 'running');
  assert.notEqual(restarted.pid, null);
});

/** `tend show NAME --json` (a read-only verb: it never starts a daemon). */
function getDetail(h: TendHome, name: string): Promise<ProgramRow & { desired: string }> {
  return h.tendJson(['show', name]);
}

test('FIFOs removed under a running program: the next daemon still reads it, says so and makes them again', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const row = await startRunning(h, 'counter', [fixture('counter.sh')]);
  await killDaemon(h);
  rmSync(join(h.home, 'fifo', 'counter.out'));
  rmSync(join(h.home, 'fifo', 'counter.err'));
  const before = getCompleteLines(await readLog(h.home, 'counter', 'out')).length;

  await h.tend(['daemon', 'start']);
  await waitFor(
    async () => getCompleteLines(await readLog(h.home, 'counter', 'out')).length > before + 20,
    10_000,
    'output of the adopted program to reach its log again',
  );
  const events = await getEvents(h, 'counter');
  const fault = events.find((event) => event.event === 'fifo-fault');
  assert.match(fault?.message ?? '', /counter\.out was removed .* read through \/proc\//);
  assert.ok(existsSync(join(h.home, 'fifo', 'counter.out')), 'the FIFO is made again');
  assert.equal((await h.tendJson<ProgramRow>(['show', 'counter'])).pid, row.pid);

  // The next run writes into the new FIFOs.
  const restarted = await h.tend(['restart', 'counter']);
  assert.equal(restarted.code, 0, restarted.stderr);
  const lines = await waitFor(
    async () => {
      const all = getCompleteLines(await readLog(h.home, 'counter', 'out'));
      return all.filter((line) => line === 'line 20').length === 2 ? all : false;
    },
    10_000,
    'the restarted counter to write',
  );
  const second = lines.lastIndexOf('line 1');
  assertCountsUp(lines.slice(0, second));
  assertCountsUp(lines.slice(second));
});

/**
 * Unmounts the test's tmpfs. A process just SIGKILLed by cleanup can keep it busy for a moment:
 * retry, and at last detach it lazily, so no mount ever outlives the test.
 */
async function unmount(mountpoint: string): Promise<void> {
  try {
    await waitFor(
      () => {
        execFileSync('umount', [mountpoint], { stdio: 'ignore' });
        return true;
      },
      2000,
      `unmounting ${mountpoint}`,
    );
  } catch {
    execFileSync('umount', ['-l', mountpoint], { stdio: 'ignore' });
  }
  rmdirSync(mountpoint);
}

/** A TEND_HOME on a small tmpfs of its own (root only), with a way to fill it up and free it. */
async function createHomeOnSmallDisk(t: TestContext) {
  const mountpoint = mkdtempSync(join(tmpdir(), 'tend-small-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mountpoint]);
  const h = await createTendHome({ home: join(mountpoint, 'home') });
  t.after(async () => {
    try {
      await h.cleanup();
    } finally {
      await unmount(mountpoint);
    }
  });
  const filler = join(mountpoint, 'filler');
  const fill = () => {
    const fd = openSync(filler, 'a');
    const block = Buffer.alloc(64 * 1024);
    try {
      for (;;) writeSync(fd, block);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      closeSync(fd);
    }
  };
  const free = () => unlinkSync(filler);
  return { h, fill, free };
}

test('a full disk: stop and delete are refused with the reason and change nothing; a new daemon still starts', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to mount a small tmpfs');
  const { h, fill, free } = await createHomeOnSmallDisk(t);
  const web = await startRunning(h, 'web');
  fill();

  for (const verb of ['stop', 'delete']) {
    const refused = await h.tend([verb, 'web']);
    assert.equal(refused.code, 1, `${verb}: ${refused.stdout}`);
    assert.match(
      refused.stderr,
      /the database refused the write \(database or disk is full\); nothing was changed/,
    );
    const row = await getDetail(h, 'web');
    assert.equal(row.state, 'running', `after ${verb}`);
    assert.equal(row.desired, 'running');
    assert.ok(isAlive(web.pid ?? -1));
  }

  // The disk is still full: a new daemon starts anyway and adopts the program.
  await killDaemon(h);
  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const adopted = await getDetail(h, 'web');
  assert.equal(adopted.pid, web.pid);
  const restarted = await h.tend(['daemon', 'restart']);
  assert.equal(restarted.code, 0, restarted.stderr);
  assert.equal((await getDetail(h, 'web')).pid, web.pid);

  // With room again the stop goes through, and no later daemon brings the program back.
  free();
  const stopped = await h.tend(['stop', 'web']);
  assert.equal(stopped.code, 0, stopped.stderr);
  fill();
  await killDaemon(h);
  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const after = await getDetail(h, 'web');
  assert.equal(after.state, 'stopped');
  assert.equal(after.desired, 'stopped');
});

test('a corrupt tend.db is moved aside: the daemon starts with an empty one and says what happened', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await startRunning(h, 'web');
  const stopped = await h.tend(['daemon', 'stop']);
  assert.equal(stopped.code, 0, stopped.stderr);
  writeFileSync(join(h.home, 'tend.db'), Buffer.alloc(8192, 'garbage!'));
  rmSync(join(h.home, 'tend.db-wal'), { force: true });

  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const listed = await h.tendJson<ProgramRow[]>(['ls']);
  assert.deepEqual(listed, []);
  const aside = readdirSync(h.home).filter((entry) => entry.startsWith('tend.db.corrupt-'));
  assert.equal(aside.length, 1, readdirSync(h.home).join(' '));
  assert.equal(readFileSync(join(h.home, aside[0] as string), 'latin1').slice(0, 8), 'garbage!');
  const log = readFileSync(join(h.home, 'daemon.log'), 'utf8');
  assert.match(log, /tend\.db was corrupt: moved to .*tend\.db\.corrupt-.*; starting with an empty database/);
  // The new database works.
  await startRunning(h, 'web');
});
