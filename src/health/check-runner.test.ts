import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../manual-clock.js';
import { type CheckResult, CheckRunner, type StatusChange } from './check-runner.js';
import { FakeProbe, flush, makeCheck } from './fake-probe.js';

function setup(input: Record<string, unknown>) {
  const system = new ManualClock();
  const probe = new FakeProbe();
  const results: CheckResult[] = [];
  const changes: StatusChange[] = [];
  const runner = new CheckRunner(makeCheck(input), {
    clock: system,
    probe: probe.probe,
    onResult: (_runner, result, change) => {
      results.push(result);
      if (change) changes.push(change);
    },
  });
  return { system, probe, runner, results, changes };
}

describe('CheckRunner', () => {
  test('runs after initialDelay, then every period from the start of the last run', async () => {
    const { system, probe, runner, results } = setup({
      tcp: '127.0.0.1:1',
      period: '10s',
      initialDelay: '2s',
    });
    runner.start();
    system.advance(1999);
    assert.equal(probe.runs.length, 0);
    system.advance(1);
    assert.equal(probe.runs.length, 1);
    system.advance(300);
    probe.last.resolve({ ok: true, message: 'connected', output: '' });
    await flush();
    assert.equal(results[0]?.durationMs, 300);
    system.advance(9699);
    assert.equal(probe.runs.length, 1);
    system.advance(1);
    assert.equal(probe.runs.length, 2, 'the next run starts one period after the last one started');
  });

  test('never runs twice at once: a slow run delays the next', async () => {
    const { system, probe, runner } = setup({ tcp: '127.0.0.1:1', period: '1s', timeout: '5s' });
    runner.start();
    system.advance(0);
    system.advance(3000);
    assert.equal(probe.runs.length, 1);
    probe.last.resolve({ ok: true, message: 'connected', output: '' });
    await flush();
    system.advance(0);
    assert.equal(probe.runs.length, 2, 'an overdue run starts at once');
  });

  test('at its timeout a run is aborted and counts as a failure, with the output it handed back', async () => {
    const { system, probe, runner, results } = setup({ exec: 'sleep 100', timeout: '1s', period: '5s' });
    runner.start();
    system.advance(0);
    system.advance(999);
    assert.equal(probe.last.signal.aborted, false);
    system.advance(1);
    assert.equal(probe.last.signal.aborted, true);
    probe.last.resolve({ ok: false, message: 'killed by SIGKILL', output: 'still loading\n' });
    await flush();
    assert.equal(results[0]?.ok, false);
    assert.equal(results[0]?.message, 'timed out after 1000 ms; killed');
    assert.equal(results[0]?.output, 'still loading\n');
  });

  test('a probe that does not let go after its abort still ends the run', () => {
    const { system, probe, runner, results } = setup({ http: 'http://127.0.0.1:1/', timeout: '1s' });
    runner.start();
    system.advance(0);
    system.advance(5000);
    assert.equal(probe.runs.length, 1);
    assert.equal(results[0]?.message, 'timed out after 1000 ms');
  });

  test('reports healthy ↔ unhealthy once each, at the thresholds', async () => {
    const { system, probe, runner, changes } = setup({
      tcp: '127.0.0.1:1',
      period: '1s',
      failureThreshold: 2,
    });
    runner.start();
    const step = async (ok: boolean) => {
      system.advance(1000);
      probe.last.resolve({ ok, message: ok ? 'connected' : 'ECONNREFUSED', output: '' });
      await flush();
    };
    system.advance(0);
    probe.last.resolve({ ok: true, message: 'connected', output: '' });
    await flush();
    await step(false);
    assert.equal(runner.status, 'healthy');
    await step(false);
    await step(false);
    await step(true);
    assert.deepEqual(
      changes.map((change) => `${change.from}→${change.to}`),
      ['unknown→healthy', 'healthy→unhealthy', 'unhealthy→healthy'],
    );
    assert.equal(changes[1]?.failures, 2);
  });

  test('stop aborts the run in flight and ignores its result', async () => {
    const { system, probe, runner, results } = setup({ tcp: '127.0.0.1:1' });
    runner.start();
    system.advance(0);
    runner.stop();
    assert.equal(probe.last.signal.aborted, true);
    probe.last.resolve({ ok: true, message: 'connected', output: '' });
    await flush();
    system.advance(60_000);
    assert.equal(results.length, 0);
    assert.equal(probe.runs.length, 1);
  });
});
