import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTendHome, fixture, startRunning } from './helpers.js';

// Issue 9, item 17 (part): a log target that is one of TEND_HOME's internals (the database, the
// socket, the pid file, the FIFOs) or another program's log is refused when the program is created.

test('TEND_HOME’s internals and another program’s log are refused as log targets, nothing created', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await startRunning(h, 'web');
  const cases: [string, string, RegExp][] = [
    ['--out-log', join(h.home, 'tend.db'), /is the daemon's database/],
    ['--err-log', join(h.home, 'tend.db-wal'), /is the daemon's database journal/],
    ['--out-log', join(h.home, 'tend.sock'), /is the daemon's control socket/],
    ['--out-log', join(h.home, 'daemon.pid'), /is the daemon's pid file/],
    ['--out-log', join(h.home, 'fifo', 'web.out'), /inside TEND_HOME\/fifo/],
    ['--out-log', join(h.home, 'logs', 'web.out.log'), /is the log of program "web"/],
    [
      '--err-log',
      join(h.home, '..', 'tend-x', '..', h.home.split('/').at(-1) ?? '', 'logs', 'web.err.log'),
      /is the log of program "web"/,
    ],
  ];
  for (const [flag, target, why] of cases) {
    const result = await h.tend(['start', '--name', 'evil', flag, target, '--', fixture('sleeper.sh')]);
    assert.equal(result.code, 2, `${flag} ${target}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, why);
  }
  const rows = await h.tendJson<{ name: string }[]>(['ls']);
  assert.deepEqual(
    rows.map((row) => row.name),
    ['web'],
    'no program was created',
  );
  // The same file for two streams of one program is its own business.
  const own = join(h.home, 'own.log');
  const merged = await h.tend([
    'start',
    '--name',
    'ok',
    '--out-log',
    own,
    '--err-log',
    own,
    '--',
    fixture('sleeper.sh'),
  ]);
  assert.equal(merged.code, 0, merged.stderr);
});
