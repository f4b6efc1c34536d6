import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ProgramSpec, programInputSchema } from '../config/program-schema.js';
import { FakeProbe, flush } from '../health/fake-probe.js';
import type { HealthNote, StateChange } from '../program-record.js';
import { FakeCapture, FakeSystem } from './fake-system.js';
import { ManagedProgram } from './managed-program.js';

// Checks wired into a program: fake probes answered by hand, the fake clock, no real process.

function setup(input: Record<string, unknown>) {
  const parsed = programInputSchema.parse({
    name: 'web',
    command: ['node', 'server.js'],
    startSecs: 500,
    stopTimeout: 2000,
    backoff: { initial: 100, multiplier: 2, max: 1000, resetAfter: 5000 },
    ...input,
  });
  const spec: ProgramSpec = { ...parsed, cwd: '/srv' };
  const system = new FakeSystem();
  const probes = new Map<string, FakeProbe>();
  const program = new ManagedProgram({
    spec,
    system,
    capture: new FakeCapture(),
    probes: (check) => {
      const probe = new FakeProbe();
      probes.set(check.name, probe);
      return probe.probe;
    },
  });
  const changes: StateChange[] = [];
  const notes: HealthNote[] = [];
  program.on('state-changed', (change) => changes.push(change));
  program.on('health-changed', (note) => notes.push(note));
  const answer = async (name: string, ok: boolean, message = ok ? 'HTTP 200' : 'HTTP 503') => {
    const probe = probes.get(name);
    assert.ok(probe, `check ${name} was created`);
    probe.last.resolve({ ok, message, output: '' });
    await flush();
  };
  return { system, program, changes, notes, probes, answer };
}

describe('ManagedProgram with checks', () => {
  test('a ready check gates running: startSecs is not enough', async () => {
    const { system, program, answer } = setup({
      checks: [{ name: 'rd', http: 'http://127.0.0.1:3000/', level: 'ready', period: '1s' }],
    });
    program.dispatch({ type: 'start' });
    system.advance(0);
    system.advance(600);
    assert.equal(program.state, 'starting', 'not running after startSecs');
    assert.equal(program.snapshot().health?.summary, 'checking');
    await answer('rd', true);
    assert.equal(program.state, 'running');
    assert.equal(program.snapshot().health?.summary, 'healthy');
  });

  test('a ready check that never passes is a failed start at startTimeout', async () => {
    const { system, program, changes } = setup({
      startTimeout: '3s',
      checks: [{ name: 'rd', tcp: '127.0.0.1:3000', level: 'ready' }],
    });
    program.dispatch({ type: 'start' });
    system.advance(3000);
    assert.match(
      changes.at(-1)?.reason ?? '',
      /^not ready within 3000 ms; sent SIGTERM, SIGKILL after \d+ ms$/,
    );
  });

  test('an unhealthy alive check stops the process; its exit restarts it with a health reason', async () => {
    const { system, program, changes, notes, answer } = setup({
      checks: [{ name: 'live', http: 'http://127.0.0.1:3000/', period: '1s', failureThreshold: 2 }],
    });
    program.dispatch({ type: 'start' });
    system.advance(0);
    await answer('live', true);
    system.advance(1000);
    assert.equal(program.state, 'running');
    await answer('live', false);
    system.advance(1000);
    await answer('live', false);
    const child = system.lastChild;
    assert.deepEqual(system.kills.at(-1), { pid: -child.pid, signal: 'SIGTERM' });
    assert.equal(notes[0]?.message, 'check "live" (alive) unhealthy: HTTP 503, 2 failures in a row');
    assert.equal(
      changes.at(-1)?.reason,
      'health: check "live" failed 2 times in a row (HTTP 503); sent SIGTERM',
    );
    child.exit(null, 'SIGTERM');
    assert.equal(program.state, 'backoff');
    assert.equal(
      program.snapshot().reason,
      'health: check "live" failed 2 times in a row (HTTP 503); killed by SIGTERM; retrying in 100 ms',
    );
    system.advance(100);
    assert.equal(program.state, 'starting', 'restarted through the backoff');
    assert.notEqual(system.lastChild.pid, child.pid);
  });

  test('a process that ignores its stop signal after a health kill gets SIGKILL at the stop timeout', async () => {
    const { system, program, answer } = setup({
      checks: [{ name: 'live', tcp: '127.0.0.1:3000', failureThreshold: 1 }],
    });
    program.dispatch({ type: 'start' });
    system.advance(0);
    await answer('live', false);
    system.advance(2000);
    assert.deepEqual(system.kills.at(-1), { pid: -system.lastChild.pid, signal: 'SIGKILL' });
  });

  test('checks stop with the process and start again with the next one', async () => {
    const { system, program, probes, answer } = setup({
      checks: [{ name: 'live', tcp: '127.0.0.1:3000', period: '1s' }],
    });
    program.dispatch({ type: 'start' });
    system.advance(0);
    await answer('live', true);
    const first = probes.get('live');
    system.lastChild.exit(1);
    system.advance(60_000);
    assert.equal(first?.runs.length, 1, 'the old process is not checked any more');
    assert.notEqual(probes.get('live'), first, 'the new process has checks of its own');
  });

  test('an adopted process skips its startup checks', () => {
    const { system, program, probes } = setup({
      checks: [
        { name: 'boot', exec: 'true', level: 'startup' },
        { name: 'live', tcp: '127.0.0.1:3000' },
      ],
    });
    program.adopt({ pid: 4242, pgid: 4242, procStartTime: 1, startedAt: 0 });
    system.advance(0);
    assert.equal(probes.get('boot')?.runs.length, 0);
    assert.equal(probes.get('live')?.runs.length, 1);
    program.release();
  });
});
