import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ProgramSpec, programInputSchema } from '../config/program-schema.js';
import { FakeCapture, FakeSystem } from './fake-system.js';
import { ManagedProgram, type StateChange } from './managed-program.js';

function makeSpec(overrides: Partial<ProgramSpec> = {}): ProgramSpec {
  const defaults = programInputSchema.parse({
    name: 'web',
    command: ['node', 'server.js'],
    env: { PORT: '3000' },
    backoff: { initial: 100, multiplier: 2, max: 1000, resetAfter: 5000 },
    startSecs: 500,
    stopTimeout: 2000,
  });
  return { ...defaults, cwd: '/srv', ...overrides };
}

function setup(overrides: Partial<ProgramSpec> = {}) {
  const system = new FakeSystem();
  const capture = new FakeCapture();
  const program = new ManagedProgram({ spec: makeSpec(overrides), system, capture });
  const changes: StateChange[] = [];
  program.on('state-changed', (change) => changes.push(change));
  return { system, capture, program, changes };
}

describe('ManagedProgram', () => {
  test('start spawns the command in its own FIFOs and becomes running after startSecs', () => {
    const { system, capture, program } = setup();
    program.dispatch({ type: 'start' });
    assert.equal(program.state, 'starting');
    assert.equal(capture.opened, 1);
    assert.deepEqual(system.lastChild.request.argv, ['node', 'server.js']);
    assert.equal(system.lastChild.request.env.PORT, '3000');
    assert.equal(system.lastChild.request.env.TEND_PROGRAM, 'web');
    system.advance(499);
    assert.equal(program.state, 'starting');
    system.advance(1);
    assert.equal(program.state, 'running');
    assert.equal(program.pid, system.lastChild.pid);
  });

  test('a shell command string runs through /bin/sh -c', () => {
    const { system, program } = setup({ command: 'echo hi | cat' });
    program.dispatch({ type: 'start' });
    assert.deepEqual(system.lastChild.request.argv, ['/bin/sh', '-c', 'echo hi | cat']);
  });

  test('restarts a program at once, in the same tick, after a stable run', () => {
    const { system, program } = setup();
    program.dispatch({ type: 'start' });
    system.advance(6000);
    const first = system.lastChild;
    first.exit(null, 'SIGKILL');
    assert.equal(program.state, 'starting');
    assert.equal(system.spawned.length, 2);
    assert.notEqual(program.pid, first.pid);
    const snapshot = program.snapshot();
    assert.equal(snapshot.restarts, 1);
    assert.equal(snapshot.exitSignal, 'SIGKILL');
    assert.equal(snapshot.exitCode, null);
  });

  test('backs off exponentially in a crash loop, up to the cap', () => {
    const { system, program } = setup();
    program.dispatch({ type: 'start' });
    const delays: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      system.lastChild.exit(1);
      assert.equal(program.state, 'backoff');
      const before = system.time;
      const spawnedBefore = system.spawned.length;
      while (system.spawned.length === spawnedBefore) system.advance(1);
      delays.push(system.time - before);
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  });

  test('gives up after the configured failed starts and stays fatal', () => {
    const { system, program } = setup({ giveUp: { failures: 3, within: 60_000 } });
    program.dispatch({ type: 'start' });
    system.lastChild.exit(1);
    system.advance(100);
    system.lastChild.exit(1);
    system.advance(200);
    system.lastChild.exit(1);
    assert.equal(program.state, 'fatal');
    const spawned = system.spawned.length;
    system.advance(60_000);
    assert.equal(system.spawned.length, spawned);
  });

  test('stop signals the whole group, then SIGKILLs it at the deadline', () => {
    const { system, program } = setup();
    program.dispatch({ type: 'start' });
    const child = system.lastChild;
    program.dispatch({ type: 'stop' });
    assert.equal(program.state, 'stopping');
    assert.deepEqual(system.kills.at(-1), { pid: -child.pid, signal: 'SIGTERM' });
    system.advance(2000);
    assert.deepEqual(system.kills.at(-1), { pid: -child.pid, signal: 'SIGKILL' });
    child.exit(null, 'SIGKILL');
    assert.equal(program.state, 'stopped');
    assert.equal(program.pid, null);
    assert.equal(program.snapshot().desired, 'stopped');
  });

  test('after an unexpected exit the leftovers of the old process group are killed before the restart', () => {
    const { system, program } = setup();
    program.dispatch({ type: 'start' });
    system.advance(6000);
    const first = system.lastChild;
    first.exit(1);
    assert.ok(system.kills.some((kill) => kill.pid === -first.pid && kill.signal === 'SIGKILL'));
    assert.equal(system.spawned.length, 2);
  });

  test('after an exit that is not restarted the leftovers get the stop signal first', () => {
    const { system, program } = setup({ restart: 'never' });
    program.dispatch({ type: 'start' });
    system.advance(6000);
    const first = system.lastChild;
    first.exit(1);
    assert.ok(system.kills.some((kill) => kill.pid === -first.pid && kill.signal === 'SIGTERM'));
  });

  test('restart stops, then spawns again once the old process has exited', () => {
    const { system, program } = setup();
    program.dispatch({ type: 'start' });
    const first = system.lastChild;
    program.dispatch({ type: 'restart' });
    assert.equal(program.state, 'stopping');
    assert.equal(system.spawned.length, 1);
    first.exit(0);
    assert.equal(program.state, 'starting');
    assert.equal(system.spawned.length, 2);
  });

  test('a spawn failure makes the program fatal with the reason', () => {
    const { system, program } = setup();
    system.failNextSpawn = 'ENOENT';
    program.dispatch({ type: 'start' });
    assert.equal(program.state, 'fatal');
    assert.match(program.snapshot().reason ?? '', /ENOENT/);
  });

  test('every state change is announced exactly once, with the exit that caused it', () => {
    const { system, program, changes } = setup({ restart: 'never' });
    program.dispatch({ type: 'start' });
    system.advance(500);
    system.lastChild.exit(3);
    assert.deepEqual(
      changes.map((change) => `${change.from}>${change.to}`),
      ['stopped>starting', 'starting>running', 'running>exited'],
    );
    assert.equal(changes.at(-1)?.exit?.code, 3);
    assert.equal(program.snapshot().exitCode, 3);
  });

  test('an exit reported for an old pid is ignored', () => {
    const { system, program } = setup();
    program.dispatch({ type: 'start' });
    system.advance(6000);
    const first = system.lastChild;
    first.exit(1);
    const state = program.state;
    const spawned = system.spawned.length;
    first.exit(1);
    assert.equal(program.state, state);
    assert.equal(system.spawned.length, spawned);
  });

  test('a backoff resumed from a record stamped in the future waits no longer than its own delay', () => {
    const system = new FakeSystem();
    const saved = new ManagedProgram({ spec: makeSpec(), system, capture: new FakeCapture() }).snapshot();
    const program = new ManagedProgram({
      spec: makeSpec(),
      system,
      capture: new FakeCapture(),
      saved: { ...saved, state: 'backoff', desired: 'running', consecutiveFailures: 2 },
    });
    // The previous daemon's clock was an hour ahead; the delay for two failures is 200 ms.
    program.resumeBackoff(system.now() + 3_600_000);
    system.advance(199);
    assert.equal(system.spawned.length, 0);
    system.advance(1);
    assert.equal(system.spawned.length, 1);
    assert.equal(program.state, 'starting');
  });
});
