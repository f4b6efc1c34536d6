import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSandbox, startProcess } from '../fixtures/sdk/helpers.js';
import { waitFor } from './helpers.js';

// The pid-file lock across processes: of many starters racing, exactly one wins, also when the file
// they race for is stale.

const RACER = fileURLToPath(new URL('../fixtures/sdk/pid-racer.ts', import.meta.url));
const RACERS = 6;

for (const start of ['no pid file', 'a stale pid file'] as const) {
  test(`of ${RACERS} starters racing with ${start}, exactly one takes the pid file`, async (t) => {
    const sandbox = await createSandbox(t);
    const pidFile = join(sandbox.dir, 'race.pid');
    if (start === 'a stale pid file') writeFileSync(pidFile, `${spawnSync('true').pid}\n`);
    const racers = Array.from({ length: RACERS }, () =>
      startProcess(sandbox, process.execPath, ['--import', 'tsx', RACER, pidFile]),
    );
    // The winner holds the file until the test ends (the sandbox kills it); the losers exit.
    await waitFor(
      () => racers.every((racer) => /^(won|lost \d+)\n/.test(racer.output())),
      20_000,
      'every racer to win or lose',
    );
    const results = racers.map((racer) => ({ pid: racer.pid, output: racer.output().trim() }));
    const winners = results.filter((result) => result.output === 'won');
    assert.equal(winners.length, 1, JSON.stringify(results));
    for (const loser of results.filter((result) => result.output !== 'won')) {
      assert.equal(loser.output, `lost ${winners[0]?.pid}`, 'every loser names the winner');
    }
  });
}
