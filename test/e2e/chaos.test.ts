import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_BOUNDS, type SoakOptions } from '../../soak/options.js';
import { formatSummary } from '../../soak/report.js';
import { runSoak } from '../../soak/soak.js';
import { getPipeDrain } from '../../src/native.js';
import { createTendHome } from './helpers.js';

// `npm run soak` in about 25 seconds: the same three phases and checks with smaller numbers, so
// every `npm test` tries to make tend lose a process or a line (see soak/README.md).

const CHAOS_OPTIONS: SoakOptions = {
  crashLoopMs: 7000,
  programKillsMs: 8000,
  daemonKillsMs: 9000,
  sleepers: 10,
  healthy: 2,
  crashLoopers: 3,
  writers: 3,
  linesPerSecond: 2000,
  writerLogMaxSize: '16KB',
  programKillEveryMs: 100,
  daemonKillEveryMs: [1500, 2500],
  // Raw output moves from FIFO to file by splice(2), so daemon kills at random instants lose nothing.
  // Without the native pipe drain a kill between read and write loses the chunk in flight (see
  // soak/README.md); this test must not flake on that, so there each kill waits for drained FIFOs.
  quiesceWriters: getPipeDrain() === null,
  bounds: DEFAULT_BOUNDS,
};

test('under random SIGKILLs of programs and of the daemon nothing is lost, duplicated, run twice or leaked', {
  timeout: 90_000,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);

  const report = await runSoak(h, CHAOS_OPTIONS);
  const summary = formatSummary(report);
  for (const line of summary.split('\n')) t.diagnostic(line);

  assert.deepEqual(report.failures, [], summary);
  // The killer waits for each restart, so a loaded machine kills less often; ten still means something.
  assert.ok((report.programKills?.kills ?? 0) >= 10, `enough program kills to mean something\n${summary}`);
  // Each kill waits for the next daemon to be back; a loaded machine fits one in the window.
  assert.ok((report.daemonKills?.kills ?? 0) >= 1, `the daemon was killed at least once\n${summary}`);
  assert.equal(report.daemonKills?.readoptions, report.daemonKills?.kills, summary);
  assert.ok(
    report.lines.every((check) => check.checked > 1000 && check.files > 2),
    `every writer wrote enough lines to rotate its log\n${summary}`,
  );
});
