import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ProgramSpec, programInputSchema } from '../config/program-schema.js';
import type { RuntimeRecord, StateChange } from '../program-record.js';
import { ADOPTED_POLL_MS, ADOPTED_STOPPING_POLL_MS } from './adoption-watch.js';
import { FakeCapture, FakeSystem } from './fake-system.js';
import { ManagedProgram } from './managed-program.js';
import { parseNotifyMessage } from './notify-message.js';

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

  test('each spawn records its intent (a fresh secret, the uid) before the fork and hands the child the secret', () => {
    const system = new FakeSystem();
    const intents: { id: string; spawnedBefore: number }[] = [];
    const program = new ManagedProgram({
      spec: makeSpec(),
      system,
      capture: new FakeCapture(),
      recordSpawnIntent: (intent) => intents.push({ id: intent.id, spawnedBefore: system.spawned.length }),
    });
    program.dispatch({ type: 'start' });
    system.advance(6000);
    system.lastChild.exit(1);
    assert.deepEqual(
      intents.map(({ spawnedBefore }) => spawnedBefore),
      [0, 1],
      'written before each fork',
    );
    assert.equal(system.spawned[0]?.request.env.TEND_SPAWN_ID, intents[0]?.id);
    assert.equal(system.spawned[1]?.request.env.TEND_SPAWN_ID, intents[1]?.id);
    assert.notEqual(intents[0]?.id, intents[1]?.id, 'a fresh secret each time');
  });

  test('a spawn whose intent cannot be recorded (disk full) does not fork', () => {
    const system = new FakeSystem();
    const program = new ManagedProgram({
      spec: makeSpec(),
      system,
      capture: new FakeCapture(),
      recordSpawnIntent: () => {
        throw new Error('database or disk is full');
      },
    });
    program.dispatch({ type: 'start' });
    assert.equal(system.spawned.length, 0);
    assert.match(
      program.snapshot().reason ?? '',
      /cannot record the spawn in the database: database or disk is full/,
    );
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

  test('a spawn that fails for want of fds backs off and succeeds on a later try', () => {
    const { system, program } = setup();
    system.failNextSpawn = 'EMFILE';
    program.dispatch({ type: 'start' });
    assert.equal(program.state, 'backoff');
    assert.match(
      program.snapshot().reason ?? '',
      /EMFILE; a shortage of system resources, retrying in 100 ms/,
    );
    system.advance(100);
    assert.equal(program.state, 'starting');
    assert.equal(system.spawned.length, 1);
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
    program.dispatch({ type: 'resume-backoff', since: system.now() + 3_600_000 });
    system.advance(199);
    assert.equal(system.spawned.length, 0);
    system.advance(1);
    assert.equal(system.spawned.length, 1);
    assert.equal(program.state, 'starting');
  });

  test('release cancels the SIGKILL that was armed for leftovers of an exited group', () => {
    const { system, program } = setup({ restart: 'never' });
    program.dispatch({ type: 'start' });
    const first = system.lastChild;
    system.addProcess(900, { pgid: first.pid });
    first.exit(1);
    assert.deepEqual(system.kills.at(-1), { pid: -first.pid, signal: 'SIGTERM' });
    program.release();
    system.advance(60_000);
    assert.ok(
      !system.kills.some((kill) => kill.pid === -first.pid && kill.signal === 'SIGKILL'),
      'no SIGKILL after release',
    );
  });

  test('leftovers of an exited group get SIGKILL at the stop timeout', () => {
    const { system, program } = setup({ restart: 'never' });
    program.dispatch({ type: 'start' });
    const first = system.lastChild;
    system.addProcess(900, { pgid: first.pid });
    first.exit(1);
    system.advance(1999);
    assert.ok(!system.kills.some((kill) => kill.signal === 'SIGKILL'));
    system.advance(1);
    assert.deepEqual(system.kills.at(-1), { pid: -first.pid, signal: 'SIGKILL' });
  });
});

function adoptRecord(pid: number, startTime: number, startedAt: number): RuntimeRecord {
  return { pid, pgid: pid, procStartTime: startTime, startedAt };
}

describe('ManagedProgram adoption', () => {
  test('an adopted process is running, and its end is seen through its pidfd', () => {
    const { system, program, changes } = setup();
    const process = system.addProcess(4000);
    program.adopt(adoptRecord(4000, process.startTime, system.time - 60_000));
    assert.equal(program.state, 'running');
    assert.equal(program.snapshot().adopted, true);
    assert.equal(program.snapshot().desired, 'running');
    assert.equal(system.pendingTimers, 0, 'a pidfd needs no poll');
    process.end();
    assert.equal(changes.at(-1)?.event, 'exit');
    assert.deepEqual(changes.at(-1)?.exit, { code: null, signal: null, uptimeMs: 60_000 });
    assert.equal(program.snapshot().adopted, false);
    assert.equal(program.state, 'starting', 'restarted at once after a stable run');
    assert.equal(system.spawned.length, 1);
  });

  test('a recorded pid that now names another process is not adopted as ours', () => {
    const { system, program } = setup({ restart: 'never' });
    system.addProcess(4000, { startTime: 555 });
    program.adopt(adoptRecord(4000, 111, system.time));
    assert.equal(program.state, 'exited');
    assert.equal(program.snapshot().adopted, false);
  });

  test('without pidfds an adopted process is polled, faster once a stop is asked for', () => {
    const { system, program } = setup({ restart: 'never' });
    system.pidfds = false;
    const process = system.addProcess(4000);
    program.adopt(adoptRecord(4000, process.startTime, system.time));
    process.end();
    system.advance(ADOPTED_POLL_MS - 1);
    assert.equal(program.state, 'running', 'not seen before the next poll');
    system.advance(1);
    assert.equal(program.state, 'exited');

    const second = setup();
    second.system.pidfds = false;
    const other = second.system.addProcess(4100);
    second.program.adopt(adoptRecord(4100, other.startTime, second.system.time));
    second.program.dispatch({ type: 'stop' });
    second.program.pollAdoptedSoon();
    other.end();
    second.system.advance(ADOPTED_STOPPING_POLL_MS);
    assert.equal(second.program.state, 'stopped');
  });

  test('a FIFO end-of-file makes an adopted program look at once', () => {
    const { system, program } = setup({ restart: 'never' });
    system.pidfds = false;
    const process = system.addProcess(4000);
    program.adopt(adoptRecord(4000, process.startTime, system.time));
    process.end();
    program.checkAdoptedNow();
    assert.equal(program.state, 'exited');
    assert.equal(system.pendingTimers, 0, 'the poll is cancelled');
  });
});

function notify(program: ManagedProgram, text: string, pid: number | null): void {
  program.onNotify(parseNotifyMessage(text), pid ?? -1);
}

describe('ManagedProgram sd_notify', () => {
  const notifySpec = { ready: 'notify', startTimeout: 10_000 } as const;

  test('READY=1 from the program makes it running; READY=1 again after a reload keeps it running', () => {
    const { system, program, changes } = setup(notifySpec);
    program.dispatch({ type: 'start' });
    system.advance(9000);
    notify(program, 'READY=1\nSTATUS=Serving', program.pid);
    assert.equal(program.state, 'running');
    assert.equal(program.snapshot().statusText, 'Serving');
    const announced = changes.length;
    notify(program, 'RELOADING=1', program.pid);
    notify(program, 'READY=1\nSTATUS=Reloaded', program.pid);
    assert.equal(program.state, 'running');
    assert.equal(program.snapshot().statusText, 'Reloaded');
    assert.equal(changes.length, announced, 'a second READY=1 is no state change');
  });

  test('a datagram from outside the program group is ignored; one from a grandchild in it counts', () => {
    const { system, program } = setup(notifySpec);
    program.dispatch({ type: 'start' });
    system.addProcess(7000);
    notify(program, 'READY=1', 7000);
    assert.equal(program.state, 'starting');
    system.addProcess(7001, { pgid: program.pid ?? -1 });
    notify(program, 'READY=1', 7001);
    assert.equal(program.state, 'running');
  });

  test('a program never ready gets its stop signal at the start deadline, SIGKILL at the stop timeout', () => {
    const { system, program } = setup(notifySpec);
    program.dispatch({ type: 'start' });
    const child = system.lastChild;
    system.advance(10_000);
    assert.deepEqual(system.kills.at(-1), { pid: -child.pid, signal: 'SIGTERM' });
    system.advance(1999);
    assert.deepEqual(system.kills.at(-1), { pid: -child.pid, signal: 'SIGTERM' });
    system.advance(1);
    assert.deepEqual(system.kills.at(-1), { pid: -child.pid, signal: 'SIGKILL' });
  });

  test('the STATUS= text is cleared when the process ends', () => {
    const { system, program } = setup({ ...notifySpec, restart: 'never' });
    program.dispatch({ type: 'start' });
    notify(program, 'READY=1\nSTATUS=Ready to accept connections', program.pid);
    assert.equal(program.snapshot().statusText, 'Ready to accept connections');
    system.lastChild.exit(0);
    assert.equal(program.state, 'exited');
    assert.equal(program.snapshot().statusText, null);
  });

  test('EXTEND_TIMEOUT_USEC moves the start deadline while starting', () => {
    const { system, program } = setup(notifySpec);
    program.dispatch({ type: 'start' });
    const child = system.lastChild;
    system.advance(9000);
    notify(program, 'EXTEND_TIMEOUT_USEC=5000000', child.pid);
    system.advance(4999);
    assert.equal(system.kills.length, 0, 'not killed at the original deadline');
    system.advance(1);
    assert.deepEqual(system.kills.at(-1), { pid: -child.pid, signal: 'SIGTERM' });
  });

  test('EXTEND_TIMEOUT_USEC sent once running changes nothing', () => {
    const { system, program } = setup(notifySpec);
    program.dispatch({ type: 'start' });
    notify(program, 'READY=1', program.pid);
    notify(program, 'EXTEND_TIMEOUT_USEC=5000000', program.pid);
    assert.equal(program.state, 'running');
    assert.equal(system.pendingTimers, 0);
  });
});

describe('ManagedProgram watchdog', () => {
  const watched = { ready: 'notify', watchdog: 1000, stopTimeout: 2000 } as const;

  test('WATCHDOG=1 in time keeps a program; a silent one gets SIGABRT, then SIGKILL', () => {
    const { system, program } = setup(watched);
    program.dispatch({ type: 'start' });
    const child = system.lastChild;
    assert.equal(child.request.env.WATCHDOG_USEC, undefined, 'the readiness channel sets it, not the spawn');
    notify(program, 'READY=1', child.pid);
    system.advance(900);
    notify(program, 'WATCHDOG=1', child.pid);
    system.advance(900);
    assert.equal(system.kills.length, 0, 'a ping re-arms the watchdog');
    system.advance(100);
    assert.deepEqual(system.kills.at(-1), { pid: -child.pid, signal: 'SIGABRT' });
    assert.match(program.snapshot().reason ?? '', /watchdog/);
    system.advance(2000);
    assert.deepEqual(system.kills.at(-1), { pid: -child.pid, signal: 'SIGKILL' });
    child.exit(null, 'SIGKILL');
    assert.equal(program.state, 'backoff', 'its exit follows the restart policy like any other');
  });

  test('WATCHDOG_USEC from the program overrides the configured interval', () => {
    const { system, program } = setup(watched);
    program.dispatch({ type: 'start' });
    const child = system.lastChild;
    notify(program, 'WATCHDOG_USEC=3000000\nREADY=1', child.pid);
    system.advance(2999);
    assert.equal(system.kills.length, 0);
    system.advance(1);
    assert.deepEqual(system.kills.at(-1), { pid: -child.pid, signal: 'SIGABRT' });
  });
});
