import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CheckSpec, programInputSchema } from '../config/program-schema.js';
import { ManualClock } from '../manual-clock.js';
import type { StatusChange } from './check-runner.js';
import { FakeProbe, flush } from './fake-probe.js';
import { hasReadinessChecks, ProgramHealth } from './program-health.js';

function setup(checks: Record<string, unknown>[]) {
  const system = new ManualClock();
  const specs = programInputSchema.parse({ name: 'web', command: ['x'], checks }).checks;
  const probes = new Map<string, FakeProbe>();
  const events: string[] = [];
  const changes: StatusChange[] = [];
  const health = new ProgramHealth(specs, {
    clock: system,
    createProbe: (check: CheckSpec) => {
      const probe = new FakeProbe();
      probes.set(check.name, probe);
      return probe.probe;
    },
    listener: {
      onReady: () => events.push('ready'),
      onFailed: (reason) => events.push(`failed: ${reason}`),
      onStatusChange: (change) => changes.push(change),
    },
  });
  const answer = async (name: string, ok: boolean, message = ok ? 'HTTP 200' : 'HTTP 500') => {
    const probe = probes.get(name);
    if (!probe) throw new Error(`no check ${name}`);
    probe.last.resolve({ ok, message, output: '' });
    await flush();
  };
  const runs = (name: string) => probes.get(name)?.runs.length ?? 0;
  return { system, health, events, changes, answer, runs };
}

describe('ProgramHealth', () => {
  test('an alive check that turns unhealthy fails the process, naming the check and the last result', async () => {
    const { system, health, events, answer } = setup([
      { name: 'api', http: 'http://127.0.0.1:1/', period: '1s' },
    ]);
    health.start();
    for (let i = 0; i < 3; i++) {
      system.advance(i === 0 ? 0 : 1000);
      await answer('api', false);
    }
    assert.deepEqual(events, ['ready', 'failed: check "api" failed 3 times in a row (HTTP 500)']);
    assert.equal(health.summary(), 'unhealthy');
  });

  test('ready is reported once every ready check is healthy', async () => {
    const { system, health, events, answer } = setup([
      { name: 'a', tcp: '127.0.0.1:1', level: 'ready', period: '1s' },
      { name: 'b', tcp: '127.0.0.1:2', level: 'ready', period: '1s' },
    ]);
    health.start();
    system.advance(0);
    assert.equal(health.isReady(), false);
    await answer('a', true);
    assert.deepEqual(events, []);
    assert.equal(health.summary(), 'checking');
    await answer('b', true);
    assert.deepEqual(events, ['ready']);
    assert.equal(health.summary(), 'healthy');
  });

  test('a ready check that fails makes the process unready (no failure) and reports it again when back', async () => {
    const { system, health, events, changes, answer } = setup([
      { name: 'r', tcp: '127.0.0.1:1', level: 'ready', period: '1s', failureThreshold: 1 },
    ]);
    health.start();
    system.advance(0);
    await answer('r', true);
    system.advance(1000);
    await answer('r', false);
    assert.equal(health.summary(), 'unready');
    assert.equal(health.isReady(), false);
    system.advance(1000);
    await answer('r', true);
    assert.deepEqual(events, ['ready', 'ready']);
    assert.deepEqual(
      changes.map((change) => `${change.from}→${change.to}`),
      ['healthy→unhealthy', 'unhealthy→healthy'],
    );
  });

  test('a startup check holds the other checks back until it passes once, then stops', async () => {
    const { system, health, events, answer, runs } = setup([
      { name: 'boot', exec: 'true', level: 'startup', period: '1s', budget: '1m' },
      { name: 'live', tcp: '127.0.0.1:1', period: '1s' },
      { name: 'rd', tcp: '127.0.0.1:1', level: 'ready', period: '1s' },
    ]);
    health.start();
    system.advance(0);
    assert.equal(health.summary(), 'starting');
    await answer('boot', false);
    system.advance(1000);
    assert.equal(runs('live'), 0);
    assert.equal(runs('rd'), 0);
    await answer('boot', true);
    system.advance(0);
    assert.equal(runs('live'), 1);
    assert.equal(runs('rd'), 1);
    await answer('rd', true);
    assert.deepEqual(events, ['ready']);
    system.advance(10_000);
    assert.equal(runs('boot'), 2, 'a passed startup check does not run again');
  });

  test('a startup check that does not pass within its budget fails the process', async () => {
    const { system, health, events, answer } = setup([
      { name: 'boot', exec: 'true', level: 'startup', period: '1s', budget: '3s' },
    ]);
    health.start();
    system.advance(0);
    await answer('boot', false, 'exit 1');
    system.advance(2999);
    assert.deepEqual(events, []);
    system.advance(1);
    assert.deepEqual(events, ['failed: startup check "boot" did not pass within 3000 ms: exit 1']);
  });

  test('an adopted process skips its startup checks', () => {
    const { system, health, runs } = setup([
      { name: 'boot', exec: 'true', level: 'startup' },
      { name: 'live', tcp: '127.0.0.1:1' },
    ]);
    health.start({ assumeStarted: true });
    system.advance(0);
    assert.equal(runs('boot'), 0);
    assert.equal(runs('live'), 1);
  });

  test('after stop nothing runs and nothing is reported', async () => {
    const { system, health, events, answer, runs } = setup([
      { name: 'live', tcp: '127.0.0.1:1', failureThreshold: 1 },
    ]);
    health.start();
    system.advance(0);
    health.stop();
    await answer('live', false);
    system.advance(60_000);
    assert.deepEqual(events, ['ready']);
    assert.equal(runs('live'), 1);
  });

  test('startup and ready checks decide readiness; alive checks do not', () => {
    const parse = (checks: Record<string, unknown>[]) =>
      programInputSchema.parse({ name: 'w', command: ['x'], checks }).checks;
    assert.equal(hasReadinessChecks(parse([{ tcp: 'h:1' }])), false);
    assert.equal(hasReadinessChecks(parse([{ tcp: 'h:1', level: 'ready' }])), true);
    assert.equal(hasReadinessChecks(parse([{ tcp: 'h:1', level: 'startup' }])), true);
  });
});
