import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Desired, EventType, ExitInfo, State } from '../program-record.js';
import { makeContext, NOW } from './fake-system.js';
import type { Effect, MachineContext, MachineEvent } from './states.js';
import { decideAfterExit, IMPOSSIBLE, transition } from './transitions.js';

function makeExit(overrides: Partial<ExitInfo> = {}): ExitInfo {
  return { code: 1, signal: null, uptimeMs: 60_000, ...overrides };
}

function makeEvent(type: EventType): MachineEvent {
  if (type === 'exit') return { type, exit: makeExit() };
  if (type === 'spawn-failed') return { type, reason: 'spawn /usr/bin/nope ENOENT' };
  if (type === 'extend-timeout') return { type, ms: 30_000 };
  if (type === 'resume-backoff') return { type, since: NOW };
  if (type === 'health-failed') return { type, reason: 'check "http" failed 3 times in a row (HTTP 503)' };
  if (type === 'next-exit') return { type, exit: makeExit() };
  if (type === 'next-failed') return { type, reason: 'check "http" failed 3 times in a row (HTTP 503)' };
  if (type === 'main-pid') return { type, pid: 4242, source: 'MAINPID=' };
  return { type };
}

// Effects as the table spells them, with the default context's numbers.
const cancelTimers: Effect = { type: 'cancel-timers' };
const countRestart: Effect = { type: 'count-restart' };
const spawn: Effect = { type: 'spawn' };
const armReady: Effect = { type: 'arm-timer', timer: 'ready', ms: 1000 };
const resetFailures: Effect = { type: 'set-failures', consecutive: 0, recent: [] };
const termGroup: Effect = { type: 'kill-group', signal: 'SIGTERM' };
const killGroup: Effect = { type: 'kill-group', signal: 'SIGKILL' };
const reapTerm: Effect = { type: 'reap-group', signal: 'SIGTERM' };
const reapKill: Effect = { type: 'reap-group', signal: 'SIGKILL' };
const armStopDeadline: Effect = { type: 'arm-timer', timer: 'stop-deadline', ms: 10_000 };
const armBackoff = (ms: number): Effect => ({ type: 'arm-timer', timer: 'backoff', ms });
const setFailures = (consecutive: number, recent: number[]): Effect => ({
  type: 'set-failures',
  consecutive,
  recent,
});

/** A fresh start: failures forgotten, then spawn and wait for readiness. */
const freshStart: Effect[] = [resetFailures, cancelTimers, spawn, armReady];
/** A stop: signal the group and arm the SIGKILL deadline. */
const beginStop: Effect[] = [cancelTimers, termGroup, armStopDeadline];

interface Expected {
  readonly next: State;
  readonly effects: readonly Effect[];
  readonly desired?: Desired;
  readonly reason?: string;
}

function expectTransition(
  state: State,
  event: MachineEvent,
  expected: Expected,
  ctx: MachineContext = makeContext(),
): void {
  const result = transition(state, event, ctx);
  assert.ok(result !== IMPOSSIBLE, `${state} + ${event.type} should be possible`);
  assert.equal(result.next, expected.next);
  assert.deepEqual(result.effects, expected.effects);
  assert.equal(result.desired, expected.desired);
  if (expected.reason !== undefined) assert.equal(result.reason, expected.reason);
}

function expectImpossible(state: State, type: EventType): void {
  assert.equal(transition(state, makeEvent(type), makeContext()), IMPOSSIBLE);
}

describe('transition table', () => {
  describe('stopped', () => {
    test('stopped + start: spawns afresh with failures forgotten and wants it running', () => {
      const ctx = makeContext({ desired: 'stopped', consecutiveFailures: 3, recentFailures: [NOW - 5000] });
      expectTransition(
        'stopped',
        { type: 'start' },
        { next: 'starting', effects: freshStart, desired: 'running' },
        ctx,
      );
    });

    test('stopped + stop: stays stopped and does nothing', () => {
      expectTransition('stopped', { type: 'stop' }, { next: 'stopped', effects: [] });
    });

    test('stopped + restart: starts it like a start would', () => {
      const ctx = makeContext({ desired: 'stopped', consecutiveFailures: 2 });
      expectTransition(
        'stopped',
        { type: 'restart' },
        { next: 'starting', effects: freshStart, desired: 'running' },
        ctx,
      );
    });

    test('stopped + ready: a late ready changes nothing: a leftover of the group can still write on the readiness fd', () => {
      expectTransition('stopped', { type: 'ready' }, { next: 'stopped', effects: [] });
    });

    test('stopped + exit: is impossible because there is no process to exit', () => {
      expectImpossible('stopped', 'exit');
    });

    test('stopped + spawn-failed: is impossible because nothing was spawned', () => {
      expectImpossible('stopped', 'spawn-failed');
    });

    test('stopped + backoff-elapsed: is impossible because no backoff timer runs', () => {
      expectImpossible('stopped', 'backoff-elapsed');
    });

    test('stopped + stop-timeout: is impossible because no stop is in progress', () => {
      expectImpossible('stopped', 'stop-timeout');
    });

    test('stopped + adopt: takes over the live process as running without spawning anything', () => {
      expectTransition(
        'stopped',
        { type: 'adopt' },
        { next: 'running', effects: [], desired: 'running', reason: 'adopted by a new daemon' },
      );
    });
  });

  describe('starting', () => {
    test('starting + start: stays starting and does nothing', () => {
      expectTransition('starting', { type: 'start' }, { next: 'starting', effects: [] });
    });

    test('starting + stop: signals the group, arms the stop deadline and wants it stopped', () => {
      expectTransition(
        'starting',
        { type: 'stop' },
        { next: 'stopping', effects: beginStop, desired: 'stopped' },
      );
    });

    test('starting + restart: stops it first while still wanting it running', () => {
      expectTransition(
        'starting',
        { type: 'restart' },
        { next: 'stopping', effects: beginStop, desired: 'running' },
      );
    });

    test('starting + ready: becomes running and drops the start timer', () => {
      expectTransition('starting', { type: 'ready' }, { next: 'running', effects: [cancelTimers] });
    });

    test('starting + ready: arms the watchdog when the program has one', () => {
      expectTransition(
        'starting',
        { type: 'ready' },
        { next: 'running', effects: [cancelTimers, { type: 'arm-timer', timer: 'watchdog', ms: 5000 }] },
        makeContext({ readiness: 'notify', watchdogMs: 5000 }),
      );
    });

    test('starting + exit: an exit before ready is a quick failure and backs off', () => {
      // Even a long uptime counts as quick while the program never became ready.
      expectTransition(
        'starting',
        { type: 'exit', exit: makeExit({ code: 1, uptimeMs: 60_000 }) },
        {
          next: 'backoff',
          effects: [cancelTimers, reapKill, setFailures(1, []), armBackoff(250)],
          reason: 'exited with code 1; retrying in 250 ms',
        },
      );
    });

    test('starting + exit: a clean exit that leaves its processes behind says it forks into the background', () => {
      expectTransition(
        'starting',
        { type: 'exit', exit: makeExit({ code: 0, uptimeMs: 40, leftBehind: 2 }) },
        {
          next: 'backoff',
          effects: [cancelTimers, reapKill, setFailures(1, []), armBackoff(250)],
          reason:
            "exited 0 after 40 ms while 2 process(es) it started live on: it forks into the background; run it in the foreground (e.g. nginx -g 'daemon off;', redis-server --daemonize no); retrying in 250 ms",
        },
      );
    });

    test('starting + spawn-failed: goes fatal with the spawn error as the reason', () => {
      expectTransition(
        'starting',
        { type: 'spawn-failed', reason: 'spawn /usr/bin/nope ENOENT' },
        { next: 'fatal', effects: [cancelTimers], reason: 'spawn /usr/bin/nope ENOENT' },
      );
    });

    test('starting + spawn-failed (transient, EMFILE): waits in backoff and tries again, never fatal', () => {
      expectTransition(
        'starting',
        { type: 'spawn-failed', reason: 'spawn failed: spawn EMFILE', transient: true },
        {
          next: 'backoff',
          effects: [cancelTimers, setFailures(1, []), armBackoff(250)],
          reason: 'spawn failed: spawn EMFILE; a shortage of system resources, retrying in 250 ms',
        },
      );
    });

    test('starting + backoff-elapsed: is impossible because spawning cancelled the backoff timer', () => {
      expectImpossible('starting', 'backoff-elapsed');
    });

    test('starting + stop-timeout: after a health kill, the process still there gets SIGKILL', () => {
      expectTransition(
        'starting',
        { type: 'stop-timeout' },
        { next: 'starting', effects: [killGroup], reason: 'still alive after SIGTERM; sending SIGKILL' },
        makeContext({ killCause: 'startup check "boot" did not pass within 30000 ms' }),
      );
    });

    test('starting + adopt: is impossible because adoption only happens to a stopped record', () => {
      expectImpossible('starting', 'adopt');
    });
  });

  describe('running', () => {
    test('running + start: stays running and does nothing', () => {
      expectTransition('running', { type: 'start' }, { next: 'running', effects: [] });
    });

    test('running + stop: signals the group, arms the stop deadline and wants it stopped', () => {
      expectTransition(
        'running',
        { type: 'stop' },
        { next: 'stopping', effects: beginStop, desired: 'stopped' },
      );
    });

    test('running + restart: stops it first while still wanting it running', () => {
      expectTransition(
        'running',
        { type: 'restart' },
        { next: 'stopping', effects: beginStop, desired: 'running' },
      );
    });

    test('running + ready: stays running: tend/daemon sends READY=1 again after every reload', () => {
      expectTransition('running', { type: 'ready' }, { next: 'running', effects: [] });
    });

    test('running + exit: restarts at once after a stable run', () => {
      expectTransition(
        'running',
        { type: 'exit', exit: makeExit({ code: 1, uptimeMs: 60_000 }) },
        {
          next: 'starting',
          effects: [reapKill, resetFailures, cancelTimers, countRestart, spawn, armReady],
          reason: 'exited with code 1',
        },
        makeContext({ consecutiveFailures: 2, recentFailures: [NOW - 100_000] }),
      );
    });

    test('running + spawn-failed: is impossible because the process is already spawned', () => {
      expectImpossible('running', 'spawn-failed');
    });

    test('running + backoff-elapsed: is impossible because no backoff timer runs', () => {
      expectImpossible('running', 'backoff-elapsed');
    });

    test('running + stop-timeout: SIGKILLs a program that survived its watchdog SIGABRT', () => {
      expectTransition('running', { type: 'stop-timeout' }, { next: 'running', effects: [killGroup] });
    });

    test('running + adopt: is impossible because the process is already ours', () => {
      expectImpossible('running', 'adopt');
    });
  });

  describe('backoff', () => {
    test('backoff + start: skips the wait and spawns now, as a fresh start that forgets the failures', () => {
      expectTransition(
        'backoff',
        { type: 'start' },
        { next: 'starting', effects: freshStart, desired: 'running' },
        makeContext({ consecutiveFailures: 3 }),
      );
    });

    test('backoff + stop: cancels the backoff timer and becomes stopped', () => {
      expectTransition(
        'backoff',
        { type: 'stop' },
        { next: 'stopped', effects: [cancelTimers], desired: 'stopped' },
      );
    });

    test('backoff + restart: skips the wait and spawns now, as a fresh start that forgets the failures', () => {
      expectTransition(
        'backoff',
        { type: 'restart' },
        { next: 'starting', effects: freshStart, desired: 'running' },
        makeContext({ consecutiveFailures: 3 }),
      );
    });

    test('backoff + ready: a late ready changes nothing: a leftover of the group can still write on the readiness fd', () => {
      expectTransition('backoff', { type: 'ready' }, { next: 'backoff', effects: [] });
    });

    test('backoff + exit: is impossible because the process already exited', () => {
      expectImpossible('backoff', 'exit');
    });

    test('backoff + spawn-failed: is impossible because nothing was spawned', () => {
      expectImpossible('backoff', 'spawn-failed');
    });

    test('backoff + backoff-elapsed: spawns again and counts the restart', () => {
      expectTransition(
        'backoff',
        { type: 'backoff-elapsed' },
        { next: 'starting', effects: [cancelTimers, countRestart, spawn, armReady] },
      );
    });

    test('backoff + stop-timeout: is impossible because no stop is in progress', () => {
      expectImpossible('backoff', 'stop-timeout');
    });

    test('backoff + adopt: is impossible because adoption only happens to a stopped record', () => {
      expectImpossible('backoff', 'adopt');
    });
  });

  describe('stopping', () => {
    test('stopping + start: keeps stopping but remembers to start again afterwards', () => {
      expectTransition(
        'stopping',
        { type: 'start' },
        { next: 'stopping', effects: [], desired: 'running' },
        makeContext({ desired: 'stopped' }),
      );
    });

    test('stopping + stop: keeps stopping and wants it to stay stopped', () => {
      expectTransition(
        'stopping',
        { type: 'stop' },
        { next: 'stopping', effects: [], desired: 'stopped' },
        makeContext({ desired: 'running' }),
      );
    });

    test('stopping + restart: keeps stopping but remembers to start again afterwards', () => {
      expectTransition(
        'stopping',
        { type: 'restart' },
        { next: 'stopping', effects: [], desired: 'running' },
        makeContext({ desired: 'stopped' }),
      );
    });

    test('stopping + ready: a READY=1 sent while stopping changes nothing', () => {
      expectTransition('stopping', { type: 'ready' }, { next: 'stopping', effects: [] });
    });

    test('stopping + exit: kills leftovers, then ends stopped or, after a restart, starts afresh', () => {
      const exit: MachineEvent = { type: 'exit', exit: makeExit({ code: null, signal: 'SIGTERM' }) };
      expectTransition(
        'stopping',
        exit,
        { next: 'stopped', effects: [cancelTimers, reapKill], reason: 'killed by SIGTERM' },
        makeContext({ desired: 'stopped' }),
      );
      expectTransition(
        'stopping',
        exit,
        {
          next: 'starting',
          effects: [reapKill, ...freshStart],
          desired: 'running',
          reason: 'killed by SIGTERM',
        },
        makeContext({ desired: 'running', consecutiveFailures: 4, recentFailures: [NOW - 1000] }),
      );
    });

    test('stopping + spawn-failed: is impossible because nothing is being spawned', () => {
      expectImpossible('stopping', 'spawn-failed');
    });

    test('stopping + backoff-elapsed: is impossible because no backoff timer runs', () => {
      expectImpossible('stopping', 'backoff-elapsed');
    });

    test('stopping + stop-timeout: escalates to SIGKILL on the whole group', () => {
      expectTransition(
        'stopping',
        { type: 'stop-timeout' },
        { next: 'stopping', effects: [killGroup], reason: 'stop deadline passed; sending SIGKILL' },
      );
    });

    test('stopping + adopt: is impossible because adoption only happens to a stopped record', () => {
      expectImpossible('stopping', 'adopt');
    });
  });

  describe('exited', () => {
    test('exited + start: spawns afresh with failures forgotten and wants it running', () => {
      expectTransition(
        'exited',
        { type: 'start' },
        { next: 'starting', effects: freshStart, desired: 'running' },
        makeContext({ consecutiveFailures: 1 }),
      );
    });

    test('exited + stop: becomes stopped with nothing to kill', () => {
      expectTransition('exited', { type: 'stop' }, { next: 'stopped', effects: [], desired: 'stopped' });
    });

    test('exited + restart: starts it like a start would', () => {
      expectTransition(
        'exited',
        { type: 'restart' },
        { next: 'starting', effects: freshStart, desired: 'running' },
      );
    });

    test('exited + ready: a late ready changes nothing: a leftover of the group can still write on the readiness fd', () => {
      expectTransition('exited', { type: 'ready' }, { next: 'exited', effects: [] });
    });

    test('exited + exit: is impossible because the process already exited', () => {
      expectImpossible('exited', 'exit');
    });

    test('exited + spawn-failed: is impossible because nothing was spawned', () => {
      expectImpossible('exited', 'spawn-failed');
    });

    test('exited + backoff-elapsed: is impossible because no backoff timer runs', () => {
      expectImpossible('exited', 'backoff-elapsed');
    });

    test('exited + stop-timeout: is impossible because no stop is in progress', () => {
      expectImpossible('exited', 'stop-timeout');
    });

    test('exited + adopt: is impossible because adoption only happens to a stopped record', () => {
      expectImpossible('exited', 'adopt');
    });
  });

  describe('fatal', () => {
    test('fatal + start: gives it a fresh chance with failures forgotten', () => {
      expectTransition(
        'fatal',
        { type: 'start' },
        { next: 'starting', effects: freshStart, desired: 'running' },
        makeContext({
          giveUp: { failures: 3, withinMs: 60_000 },
          consecutiveFailures: 3,
          recentFailures: [NOW - 2000, NOW - 1000, NOW],
        }),
      );
    });

    test('fatal + stop: becomes stopped with nothing to kill', () => {
      expectTransition('fatal', { type: 'stop' }, { next: 'stopped', effects: [], desired: 'stopped' });
    });

    test('fatal + restart: gives it a fresh chance like a start would', () => {
      expectTransition(
        'fatal',
        { type: 'restart' },
        { next: 'starting', effects: freshStart, desired: 'running' },
      );
    });

    test('fatal + ready: a late ready changes nothing: a leftover of the group can still write on the readiness fd', () => {
      expectTransition('fatal', { type: 'ready' }, { next: 'fatal', effects: [] });
    });

    test('fatal + exit: is impossible because there is no process to exit', () => {
      expectImpossible('fatal', 'exit');
    });

    test('fatal + spawn-failed: is impossible because nothing was spawned', () => {
      expectImpossible('fatal', 'spawn-failed');
    });

    test('fatal + backoff-elapsed: is impossible because no backoff timer runs', () => {
      expectImpossible('fatal', 'backoff-elapsed');
    });

    test('fatal + stop-timeout: is impossible because no stop is in progress', () => {
      expectImpossible('fatal', 'stop-timeout');
    });

    test('fatal + adopt: is impossible because adoption only happens to a stopped record', () => {
      expectImpossible('fatal', 'adopt');
    });
  });
});

describe('decideAfterExit', () => {
  const restartNow: Effect[] = [reapKill, resetFailures, cancelTimers, countRestart, spawn, armReady];
  const noRestart: Effect[] = [cancelTimers, reapTerm];

  describe('restart policy', () => {
    const exits = {
      'a success exit': { exit: makeExit({ code: 0 }), reason: 'exited with code 0' },
      'a failure exit': { exit: makeExit({ code: 3 }), reason: 'exited with code 3' },
      'a death by signal': {
        exit: makeExit({ code: null, signal: 'SIGSEGV' }),
        reason: 'killed by SIGSEGV',
      },
      'an unknown status': {
        exit: makeExit({ code: null, signal: null }),
        reason: 'exited with an unknown status (it was not a child of this daemon)',
      },
    } as const;
    const restarts: Record<MachineContext['restart'], Record<keyof typeof exits, boolean>> = {
      always: {
        'a success exit': true,
        'a failure exit': true,
        'a death by signal': true,
        'an unknown status': true,
      },
      'on-failure': {
        'a success exit': false,
        'a failure exit': true,
        'a death by signal': true,
        'an unknown status': true,
      },
      never: {
        'a success exit': false,
        'a failure exit': false,
        'a death by signal': false,
        'an unknown status': false,
      },
    };

    for (const [policy, row] of Object.entries(restarts) as [
      MachineContext['restart'],
      Record<keyof typeof exits, boolean>,
    ][]) {
      for (const [what, restarts] of Object.entries(row) as [keyof typeof exits, boolean][]) {
        const { exit, reason } = exits[what];
        const name = restarts
          ? `restart ${policy}: ${what} after a stable run restarts at once`
          : `restart ${policy}: ${what} is not restarted and ends in exited`;
        test(name, () => {
          const result = decideAfterExit(makeContext({ restart: policy }), exit, false);
          if (restarts) {
            assert.deepEqual(result, { next: 'starting', effects: restartNow, reason });
          } else {
            assert.deepEqual(result, { next: 'exited', effects: noRestart, reason });
          }
        });
      }
    }

    test('restart never: does not restart even a quick crash and records no failure', () => {
      const result = decideAfterExit(
        makeContext({ restart: 'never', consecutiveFailures: 2 }),
        makeExit({ code: 1, uptimeMs: 50 }),
        true,
      );
      assert.deepEqual(result, { next: 'exited', effects: noRestart, reason: 'exited with code 1' });
    });

    test('restart on-failure: a quick success exit is not restarted either', () => {
      const result = decideAfterExit(
        makeContext({ restart: 'on-failure' }),
        makeExit({ code: 0, uptimeMs: 50 }),
        true,
      );
      assert.equal(result.next, 'exited');
      assert.deepEqual(result.effects, noRestart);
    });

    test('reaps leftovers of the group with the configured stop signal', () => {
      const result = decideAfterExit(
        makeContext({ restart: 'never', stopSignal: 'SIGINT' }),
        makeExit({ code: 0 }),
        false,
      );
      assert.deepEqual(result.effects, [cancelTimers, { type: 'reap-group', signal: 'SIGINT' }]);
    });
  });

  describe('stable runs', () => {
    test('a stable run restarts at once, counts the restart and forgets earlier failures', () => {
      const result = decideAfterExit(
        makeContext({ consecutiveFailures: 5, recentFailures: [NOW - 30_000, NOW - 20_000] }),
        makeExit({ code: 1, uptimeMs: 3_600_000 }),
        false,
      );
      assert.equal(result.next, 'starting');
      assert.deepEqual(result.effects, restartNow);
      assert.equal(result.desired, undefined);
    });

    test('a run of exactly resetAfter counts as stable', () => {
      const result = decideAfterExit(makeContext(), makeExit({ uptimeMs: 10_000 }), false);
      assert.equal(result.next, 'starting');
      assert.deepEqual(result.effects, restartNow);
    });

    test('a run one millisecond shorter than resetAfter is a quick exit', () => {
      const result = decideAfterExit(makeContext(), makeExit({ uptimeMs: 9_999 }), false);
      assert.equal(result.next, 'backoff');
      assert.deepEqual(result.effects, [cancelTimers, reapKill, setFailures(1, []), armBackoff(250)]);
    });

    test('a stable run with a restartDelay waits in backoff for exactly that delay', () => {
      const result = decideAfterExit(
        makeContext({ restartDelayMs: 2000, consecutiveFailures: 3 }),
        makeExit({ code: 1, uptimeMs: 60_000 }),
        false,
      );
      assert.deepEqual(result, {
        next: 'backoff',
        effects: [cancelTimers, reapKill, resetFailures, armBackoff(2000)],
        reason: 'exited with code 1',
      });
    });

    test('the restarted process is given startSecs to become ready', () => {
      const result = decideAfterExit(makeContext({ startSecsMs: 2500 }), makeExit(), false);
      assert.deepEqual(result.effects.at(-1), { type: 'arm-timer', timer: 'ready', ms: 2500 });
    });
  });

  describe('crash loops', () => {
    test('quick exits back off 250, 500, 1000 ms ... doubling up to maxMs', () => {
      const expected = [250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000];
      const delays: number[] = [];
      let consecutiveFailures = 0;
      for (let i = 0; i < expected.length; i++) {
        const result = decideAfterExit(
          makeContext({ consecutiveFailures }),
          makeExit({ code: 1, uptimeMs: 100 }),
          false,
        );
        assert.equal(result.next, 'backoff');
        const [cancel, reap, failures, timer] = result.effects;
        assert.deepEqual([cancel, reap], [cancelTimers, reapKill]);
        assert.deepEqual(failures, setFailures(consecutiveFailures + 1, []));
        assert.equal(timer?.type, 'arm-timer');
        if (timer?.type === 'arm-timer') {
          assert.equal(timer.timer, 'backoff');
          delays.push(timer.ms);
        }
        consecutiveFailures += 1;
      }
      assert.deepEqual(delays, expected);
    });

    test('the reason says what happened and how long until the next try', () => {
      const result = decideAfterExit(
        makeContext({ consecutiveFailures: 2 }),
        makeExit({ code: null, signal: 'SIGKILL', uptimeMs: 100 }),
        false,
      );
      assert.equal(result.reason, 'killed by SIGKILL; retrying in 1000 ms');
    });

    test('an exit while still starting is quick whatever the uptime', () => {
      const result = decideAfterExit(makeContext(), makeExit({ uptimeMs: 3_600_000 }), true);
      assert.equal(result.next, 'backoff');
      assert.deepEqual(result.effects, [cancelTimers, reapKill, setFailures(1, []), armBackoff(250)]);
    });

    test('a backoff delay is never shorter than restartDelay', () => {
      const result = decideAfterExit(
        makeContext({ restartDelayMs: 1500, consecutiveFailures: 1 }),
        makeExit({ uptimeMs: 100 }),
        false,
      );
      assert.deepEqual(result.effects, [cancelTimers, reapKill, setFailures(2, []), armBackoff(1500)]);
    });

    test('a custom backoff curve is followed', () => {
      const ctx = makeContext({
        backoff: { initialMs: 100, multiplier: 3, maxMs: 2000, resetAfterMs: 5000 },
        consecutiveFailures: 2,
      });
      const result = decideAfterExit(ctx, makeExit({ uptimeMs: 4000 }), false);
      assert.deepEqual(result.effects.at(-1), armBackoff(900));
    });
  });

  describe('give up', () => {
    const giveUp = { failures: 3, withinMs: 60_000 };

    test('the failure that reaches the limit within the window makes it fatal', () => {
      const result = decideAfterExit(
        makeContext({ giveUp, consecutiveFailures: 2, recentFailures: [NOW - 30_000, NOW - 10_000] }),
        makeExit({ code: 1, uptimeMs: 100 }),
        false,
      );
      assert.deepEqual(result, {
        next: 'fatal',
        effects: [cancelTimers, reapTerm, setFailures(3, [NOW - 30_000, NOW - 10_000, NOW])],
        reason: 'exited with code 1; gave up after 3 failed starts within 60000 ms',
      });
    });

    test('failures below the limit keep backing off and remember their times', () => {
      const result = decideAfterExit(
        makeContext({ giveUp, consecutiveFailures: 1, recentFailures: [NOW - 10_000] }),
        makeExit({ code: 1, uptimeMs: 100 }),
        false,
      );
      assert.deepEqual(result, {
        next: 'backoff',
        effects: [cancelTimers, reapKill, setFailures(2, [NOW - 10_000, NOW]), armBackoff(500)],
        reason: 'exited with code 1; retrying in 500 ms',
      });
    });

    test('failures outside the window are forgotten and do not count toward the limit', () => {
      const result = decideAfterExit(
        makeContext({
          giveUp,
          consecutiveFailures: 2,
          recentFailures: [NOW - 120_000, NOW - 90_000],
        }),
        makeExit({ code: 1, uptimeMs: 100 }),
        false,
      );
      assert.equal(result.next, 'backoff');
      assert.deepEqual(result.effects, [cancelTimers, reapKill, setFailures(3, [NOW]), armBackoff(1000)]);
    });

    test('a failure exactly one window ago has left the window', () => {
      const result = decideAfterExit(
        makeContext({ giveUp, consecutiveFailures: 2, recentFailures: [NOW - 60_000, NOW - 1000] }),
        makeExit({ code: 1, uptimeMs: 100 }),
        false,
      );
      assert.equal(result.next, 'backoff');
      assert.deepEqual(result.effects[2], setFailures(3, [NOW - 1000, NOW]));
    });

    test('without giveUp a crash loop never goes fatal and keeps no failure times', () => {
      const result = decideAfterExit(
        makeContext({
          giveUp: null,
          consecutiveFailures: 50,
          recentFailures: [NOW - 3000, NOW - 2000, NOW - 1000],
        }),
        makeExit({ code: 1, uptimeMs: 100 }),
        false,
      );
      assert.equal(result.next, 'backoff');
      assert.deepEqual(result.effects, [cancelTimers, reapKill, setFailures(51, []), armBackoff(30_000)]);
    });

    test('a stable run is never fatal and clears the failure history', () => {
      const result = decideAfterExit(
        makeContext({ giveUp, consecutiveFailures: 2, recentFailures: [NOW - 30_000, NOW - 20_000] }),
        makeExit({ code: 1, uptimeMs: 20_000 }),
        false,
      );
      assert.equal(result.next, 'starting');
      assert.deepEqual(result.effects, restartNow);
    });
  });

  describe('successExitCodes', () => {
    const ctx = makeContext({ restart: 'on-failure', successExitCodes: [0, 2, 143] });

    test('every listed code counts as success under on-failure', () => {
      for (const code of [0, 2, 143]) {
        const result = decideAfterExit(ctx, makeExit({ code }), false);
        assert.equal(result.next, 'exited', `code ${code}`);
      }
    });

    test('a code not in the list is a failure under on-failure', () => {
      const result = decideAfterExit(ctx, makeExit({ code: 1 }), false);
      assert.equal(result.next, 'starting');
      assert.deepEqual(result.effects, restartNow);
    });

    test('a death by signal is a failure even when its shell status is in the list', () => {
      const result = decideAfterExit(ctx, makeExit({ code: null, signal: 'SIGTERM' }), false);
      assert.equal(result.next, 'starting');
    });

    test('an empty list makes every exit a failure under on-failure', () => {
      const result = decideAfterExit(
        makeContext({ restart: 'on-failure', successExitCodes: [] }),
        makeExit({ code: 0 }),
        false,
      );
      assert.equal(result.next, 'starting');
    });

    test('restart always still restarts after a listed success code', () => {
      const result = decideAfterExit({ ...ctx, restart: 'always' }, makeExit({ code: 2 }), false);
      assert.equal(result.next, 'starting');
    });
  });
});

describe('readiness and watchdog cells', () => {
  const notify = makeContext({ readiness: 'notify', watchdogMs: 5000, startTimeoutMs: 20_000 });

  test('a notify program waits for READY=1 under a start deadline instead of startSecs', () => {
    expectTransition(
      'stopped',
      { type: 'start' },
      {
        next: 'starting',
        effects: [
          resetFailures,
          cancelTimers,
          spawn,
          { type: 'arm-timer', timer: 'start-deadline', ms: 20_000 },
        ],
        desired: 'running',
      },
      notify,
    );
  });

  test('starting + start-timeout: stops a program that never became ready, SIGKILL at the stop timeout', () => {
    expectTransition(
      'starting',
      { type: 'start-timeout' },
      {
        next: 'starting',
        effects: [
          { type: 'kill-group', signal: 'SIGTERM' },
          { type: 'arm-timer', timer: 'stop-deadline', ms: notify.stopTimeoutMs },
        ],
        reason: `not ready within 20000 ms; sent SIGTERM, SIGKILL after ${notify.stopTimeoutMs} ms`,
      },
      notify,
    );
  });

  test('starting + stop-timeout: after a start timeout, the process still there gets SIGKILL', () => {
    expectTransition(
      'starting',
      { type: 'stop-timeout' },
      {
        next: 'starting',
        effects: [killGroup],
        reason: `still alive ${notify.stopTimeoutMs} ms after SIGTERM; sending SIGKILL`,
      },
      notify,
    );
  });

  test('running + watchdog-ping: re-arms the watchdog', () => {
    expectTransition(
      'running',
      { type: 'watchdog-ping' },
      { next: 'running', effects: [{ type: 'arm-timer', timer: 'watchdog', ms: 5000 }] },
      notify,
    );
  });

  test('running + watchdog-ping: does nothing without a watchdog', () => {
    expectTransition('running', { type: 'watchdog-ping' }, { next: 'running', effects: [] });
  });

  test('running + watchdog-timeout: aborts the group and arms the SIGKILL deadline', () => {
    expectTransition(
      'running',
      { type: 'watchdog-timeout' },
      {
        next: 'running',
        effects: [{ type: 'kill-group', signal: 'SIGABRT' }, armStopDeadline],
        reason: 'watchdog: no WATCHDOG=1 within 5000 ms; sent SIGABRT',
      },
      notify,
    );
  });

  for (const state of ['stopped', 'starting', 'backoff', 'stopping', 'exited', 'fatal'] as const) {
    test(`${state} + watchdog-ping: a late ping changes nothing`, () => {
      expectTransition(state, { type: 'watchdog-ping' }, { next: state, effects: [] });
    });
    test(`${state} + watchdog-timeout: is impossible because the watchdog runs only while running`, () => {
      expectImpossible(state, 'watchdog-timeout');
    });
  }

  for (const state of ['stopped', 'running', 'backoff', 'stopping', 'exited', 'fatal'] as const) {
    test(`${state} + start-timeout: is impossible because the start deadline runs only while starting`, () => {
      expectImpossible(state, 'start-timeout');
    });
  }

  for (const state of ['stopped', 'backoff', 'exited', 'fatal'] as const) {
    test(`${state} + extend-timeout: is impossible because only a live process of the program can ask`, () => {
      expectImpossible(state, 'extend-timeout');
    });
  }

  for (const state of ['stopped', 'starting', 'running', 'stopping', 'exited', 'fatal'] as const) {
    test(`${state} + resume-backoff: is impossible because only a program restored in backoff resumes`, () => {
      expectImpossible(state, 'resume-backoff');
    });
  }
});

describe('extend-timeout', () => {
  test('starting + extend-timeout: moves the start deadline to the time asked for', () => {
    expectTransition(
      'starting',
      { type: 'extend-timeout', ms: 45_000 },
      { next: 'starting', effects: [{ type: 'arm-timer', timer: 'start-deadline', ms: 45_000 }] },
      makeContext({ readiness: 'notify', startTimeoutMs: 20_000 }),
    );
  });

  test('running + extend-timeout: a program already ready has no deadline to move', () => {
    expectTransition('running', { type: 'extend-timeout', ms: 45_000 }, { next: 'running', effects: [] });
  });

  test("stopping + extend-timeout: the stop deadline is not the program's to move", () => {
    expectTransition('stopping', { type: 'extend-timeout', ms: 45_000 }, { next: 'stopping', effects: [] });
  });
});

describe('resume-backoff', () => {
  test('backoff + resume-backoff: waits out only what is left of the delay', () => {
    // Two failures: the delay is 500 ms; 200 ms of it passed before the new daemon looked.
    expectTransition(
      'backoff',
      { type: 'resume-backoff', since: NOW - 200 },
      { next: 'backoff', effects: [armBackoff(300)] },
      makeContext({ consecutiveFailures: 2 }),
    );
  });

  test('backoff + resume-backoff: a record stamped in the future waits no longer than the whole delay', () => {
    expectTransition(
      'backoff',
      { type: 'resume-backoff', since: NOW + 3_600_000 },
      { next: 'backoff', effects: [armBackoff(500)] },
      makeContext({ consecutiveFailures: 2 }),
    );
  });

  test('backoff + resume-backoff: a delay that ran out while no daemon watched fires at once', () => {
    expectTransition(
      'backoff',
      { type: 'resume-backoff', since: NOW - 60_000 },
      { next: 'backoff', effects: [armBackoff(0)] },
      makeContext({ consecutiveFailures: 2 }),
    );
  });
});

describe('health cells', () => {
  const withChecks = makeContext({ readyChecks: true, startTimeoutMs: 20_000 });
  const notifyWithChecks = makeContext({ readiness: 'notify', readyChecks: true, startTimeoutMs: 20_000 });
  const failed = {
    type: 'health-failed',
    reason: 'check "http" failed 3 times in a row (HTTP 503)',
  } as const;
  const healthKill: Effect[] = [
    cancelTimers,
    { type: 'note-kill-cause', cause: 'check "http" failed 3 times in a row (HTTP 503)' },
    termGroup,
    armStopDeadline,
  ];

  test('a startSecs program with ready checks waits for them under the start deadline, not startSecs', () => {
    expectTransition(
      'stopped',
      { type: 'start' },
      {
        next: 'starting',
        effects: [
          resetFailures,
          cancelTimers,
          spawn,
          { type: 'arm-timer', timer: 'start-deadline', ms: 20_000 },
        ],
        desired: 'running',
      },
      withChecks,
    );
  });

  test('starting + checks-passed: a startSecs program with ready checks becomes running', () => {
    expectTransition(
      'starting',
      { type: 'checks-passed' },
      { next: 'running', effects: [cancelTimers] },
      withChecks,
    );
  });

  test('starting + checks-passed: a notify program that has not said READY=1 yet keeps starting', () => {
    expectTransition(
      'starting',
      { type: 'checks-passed' },
      { next: 'starting', effects: [{ type: 'note-ready', part: 'checks' }] },
      notifyWithChecks,
    );
  });

  test('starting + checks-passed: after READY=1 the checks complete readiness', () => {
    const said = makeContext({ ...notifyWithChecks, readySoFar: { said: true, checks: false } });
    expectTransition(
      'starting',
      { type: 'checks-passed' },
      { next: 'running', effects: [cancelTimers] },
      said,
    );
  });

  test('starting + checks-passed: without startup or ready checks it means nothing', () => {
    expectTransition('starting', { type: 'checks-passed' }, { next: 'starting', effects: [] });
  });

  test('starting + ready: READY=1 before the checks pass is noted, not ready yet', () => {
    expectTransition(
      'starting',
      { type: 'ready' },
      { next: 'starting', effects: [{ type: 'note-ready', part: 'said' }] },
      notifyWithChecks,
    );
  });

  test('starting + ready: READY=1 after the checks passed makes it running', () => {
    const checked = makeContext({ ...notifyWithChecks, readySoFar: { said: false, checks: true } });
    expectTransition('starting', { type: 'ready' }, { next: 'running', effects: [cancelTimers] }, checked);
  });

  test('starting + ready: a process being killed for its checks does not become ready', () => {
    const killed = makeContext({
      readiness: 'notify',
      killCause: 'startup check "boot" did not pass within 30000 ms',
    });
    expectTransition('starting', { type: 'ready' }, { next: 'starting', effects: [] }, killed);
  });

  test('running + checks-passed: a ready check passing again changes nothing', () => {
    expectTransition('running', { type: 'checks-passed' }, { next: 'running', effects: [] }, withChecks);
  });

  test('running + health-failed: stops the process with its stop signal and notes why', () => {
    expectTransition('running', failed, {
      next: 'running',
      effects: healthKill,
      reason: 'health: check "http" failed 3 times in a row (HTTP 503); sent SIGTERM',
    });
  });

  test('starting + health-failed: a startup check out of budget stops the process the same way', () => {
    expectTransition('starting', failed, { next: 'starting', effects: healthKill }, withChecks);
  });

  test('running + stop-timeout: after a health kill, SIGKILL', () => {
    expectTransition(
      'running',
      { type: 'stop-timeout' },
      { next: 'running', effects: [killGroup], reason: 'still alive after SIGTERM; sending SIGKILL' },
      makeContext({ killCause: 'check "http" failed' }),
    );
  });

  for (const state of ['stopped', 'backoff', 'stopping', 'exited', 'fatal'] as const) {
    test(`${state} + checks-passed: a late verdict changes nothing`, () => {
      expectTransition(state, { type: 'checks-passed' }, { next: state, effects: [] });
    });
    test(`${state} + health-failed: a late verdict changes nothing`, () => {
      expectTransition(state, failed, { next: state, effects: [] });
    });
  }

  test('the exit after a health kill restarts with a health: reason and counts as a failure', () => {
    const ctx = makeContext({
      killCause: 'check "http" failed 3 times in a row (HTTP 503)',
      consecutiveFailures: 2,
    });
    const result = decideAfterExit(ctx, makeExit({ code: null, signal: 'SIGTERM', uptimeMs: 5000 }), false);
    assert.equal(result.next, 'backoff');
    assert.equal(
      result.reason,
      'health: check "http" failed 3 times in a row (HTTP 503); killed by SIGTERM; retrying in 1000 ms',
    );
    assert.deepEqual(result.effects[2], setFailures(3, []));
  });

  test('a health kill after a stable run starts the failure count over', () => {
    const ctx = makeContext({ killCause: 'check "http" failed', consecutiveFailures: 4 });
    const result = decideAfterExit(
      ctx,
      makeExit({ code: null, signal: 'SIGTERM', uptimeMs: 3_600_000 }),
      false,
    );
    assert.equal(result.next, 'backoff');
    assert.deepEqual(result.effects[2], setFailures(1, []));
    assert.equal(result.reason, 'health: check "http" failed; killed by SIGTERM; retrying in 250 ms');
  });

  test('a health kill follows give-up like any failed start', () => {
    const ctx = makeContext({
      killCause: 'check "http" failed',
      giveUp: { failures: 2, withinMs: 60_000 },
      recentFailures: [NOW - 1000],
    });
    const result = decideAfterExit(ctx, makeExit({ code: null, signal: 'SIGTERM', uptimeMs: 5000 }), false);
    assert.equal(result.next, 'fatal');
    assert.match(
      result.reason ?? '',
      /^health: check "http" failed; killed by SIGTERM; gave up after 2 failed starts/,
    );
  });
});

describe('reload cells', () => {
  const replacing = makeContext({ next: { said: false, checks: false } });
  const notify = makeContext({ readiness: 'notify', startTimeoutMs: 20_000 });
  const signalled = makeContext({ reloadSignal: 'SIGHUP' });
  const retire: Effect[] = [
    { type: 'cancel-timer', timer: 'next-ready' },
    { type: 'cancel-timer', timer: 'next-deadline' },
    { type: 'retire-next' },
  ];

  test('running + reload: starts a new process beside the running one, ready after startSecs', () => {
    expectTransition(
      'running',
      { type: 'reload' },
      {
        next: 'reloading',
        effects: [{ type: 'spawn-next' }, { type: 'arm-timer', timer: 'next-ready', ms: 1000 }],
        reason: 'reload: starting a new process beside the running one',
      },
    );
  });

  test('running + reload: a notify program waits for the new process under the start deadline', () => {
    expectTransition(
      'running',
      { type: 'reload' },
      {
        next: 'reloading',
        effects: [{ type: 'spawn-next' }, { type: 'arm-timer', timer: 'next-deadline', ms: 20_000 }],
      },
      notify,
    );
  });

  test('running + reload: with reloadSignal, sends it and keeps the process', () => {
    expectTransition(
      'running',
      { type: 'reload' },
      {
        next: 'running',
        effects: [{ type: 'signal-main', signal: 'SIGHUP' }],
        reason: 'reload: sent SIGHUP',
      },
      signalled,
    );
  });

  test('running + reload: with reloadSignal and notify, waits for READY=1', () => {
    expectTransition(
      'running',
      { type: 'reload' },
      {
        next: 'reloading',
        effects: [
          { type: 'signal-main', signal: 'SIGHUP' },
          { type: 'arm-timer', timer: 'next-deadline', ms: 20_000 },
        ],
      },
      makeContext({ ...notify, reloadSignal: 'SIGHUP' }),
    );
  });

  test('reloading + next-ready: the new process takes over and the old one is stopped', () => {
    expectTransition(
      'reloading',
      { type: 'next-ready' },
      { next: 'running', effects: [cancelTimers, { type: 'promote-next' }] },
      replacing,
    );
  });

  test('reloading + next-ready: with ready checks, READY=1 alone is noted', () => {
    const ctx = makeContext({ readiness: 'notify', readyChecks: true, next: { said: false, checks: false } });
    expectTransition(
      'reloading',
      { type: 'next-ready' },
      { next: 'reloading', effects: [{ type: 'note-next-ready', part: 'said' }] },
      ctx,
    );
  });

  test('reloading + next-ready: the checks passing after READY=1 complete it', () => {
    const ctx = makeContext({ readiness: 'notify', readyChecks: true, next: { said: true, checks: false } });
    expectTransition(
      'reloading',
      { type: 'next-ready', part: 'checks' },
      { next: 'running', effects: [cancelTimers, { type: 'promote-next' }] },
      ctx,
    );
  });

  test('reloading + next-exit: the reload fails, the old process stays', () => {
    expectTransition(
      'reloading',
      { type: 'next-exit', exit: makeExit({ code: 1, uptimeMs: 50 }) },
      {
        next: 'running',
        effects: retire,
        reason:
          'reload failed: the new process exited with code 1 before it was ready; the old process still runs',
      },
      replacing,
    );
  });

  test('reloading + next-timeout: a new process not ready in time is stopped', () => {
    expectTransition(
      'reloading',
      { type: 'next-timeout' },
      {
        next: 'running',
        effects: retire,
        reason: 'reload failed: the new process was not ready within 60000 ms; the old process still runs',
      },
      replacing,
    );
  });

  test('reloading + next-timeout: a self-reloading program that never says READY=1 keeps running', () => {
    expectTransition(
      'reloading',
      { type: 'next-timeout' },
      { next: 'running', effects: [], reason: 'reload failed: no READY=1 within 60000 ms after SIGHUP' },
      signalled,
    );
  });

  test('reloading + next-failed: a check of the new process failed', () => {
    expectTransition(
      'reloading',
      { type: 'next-failed', reason: 'check "live" failed 3 times in a row (HTTP 503)' },
      {
        next: 'running',
        effects: retire,
        reason:
          'reload failed: the new process failed a check: check "live" failed 3 times in a row (HTTP 503); the old process still runs',
      },
      replacing,
    );
  });

  test('reloading + ready: a self-reloading program is reloaded at READY=1', () => {
    expectTransition(
      'reloading',
      { type: 'ready' },
      {
        next: 'running',
        effects: [{ type: 'cancel-timer', timer: 'next-deadline' }],
        reason: 'reloaded: READY=1 after the reload signal',
      },
      signalled,
    );
  });

  test('reloading + ready: the old process saying READY=1 again does not end a replacing reload', () => {
    expectTransition('reloading', { type: 'ready' }, { next: 'reloading', effects: [] }, replacing);
  });

  test('reloading + stop: the new process goes too', () => {
    expectTransition(
      'reloading',
      { type: 'stop' },
      { next: 'stopping', effects: [{ type: 'retire-next' }, ...beginStop], desired: 'stopped' },
      replacing,
    );
  });

  test('reloading + restart: the new process goes, then a fresh start', () => {
    expectTransition(
      'reloading',
      { type: 'restart' },
      { next: 'stopping', effects: [{ type: 'retire-next' }, ...beginStop], desired: 'running' },
      replacing,
    );
  });

  test('reloading + exit: the old process died; its exit follows the policy and the reload is given up', () => {
    const result = transition('reloading', { type: 'exit', exit: makeExit() }, replacing);
    assert.ok(result !== IMPOSSIBLE);
    assert.equal(result.next, 'starting');
    assert.deepEqual(result.effects[0], { type: 'retire-next' });
    assert.match(result.reason ?? '', /; reload given up$/);
  });

  test('reloading + stop-timeout: after a health or watchdog kill, SIGKILL', () => {
    expectTransition(
      'reloading',
      { type: 'stop-timeout' },
      { next: 'reloading', effects: [killGroup], reason: 'still alive after SIGABRT; sending SIGKILL' },
      replacing,
    );
  });

  test('reloading + watchdog-ping and watchdog-timeout: the old process keeps its watchdog', () => {
    const ctx = makeContext({ ...replacing, readiness: 'notify', watchdogMs: 5000 });
    expectTransition(
      'reloading',
      { type: 'watchdog-ping' },
      { next: 'reloading', effects: [{ type: 'arm-timer', timer: 'watchdog', ms: 5000 }] },
      ctx,
    );
    expectTransition(
      'reloading',
      { type: 'watchdog-timeout' },
      { next: 'reloading', effects: [{ type: 'kill-group', signal: 'SIGABRT' }, armStopDeadline] },
      ctx,
    );
  });

  test('reloading + health-failed: the old process failing its check is stopped as when running', () => {
    const result = transition('reloading', makeEvent('health-failed'), replacing);
    assert.ok(result !== IMPOSSIBLE);
    assert.equal(result.next, 'reloading');
    assert.deepEqual(result.effects[2], termGroup);
  });

  for (const type of ['start', 'extend-timeout', 'checks-passed', 'reload'] as const) {
    test(`reloading + ${type}: changes nothing`, () => {
      expectTransition('reloading', makeEvent(type), { next: 'reloading', effects: [] }, replacing);
    });
  }

  for (const type of [
    'spawn-failed',
    'backoff-elapsed',
    'adopt',
    'start-timeout',
    'resume-backoff',
  ] as const) {
    test(`reloading + ${type}: is impossible`, () => {
      expectImpossible('reloading', type);
    });
  }

  for (const state of ['stopped', 'backoff', 'exited', 'fatal'] as const) {
    test(`${state} + reload: is impossible because the API reloads only a running program`, () => {
      expectImpossible(state, 'reload');
    });
  }

  for (const state of ['starting', 'stopping'] as const) {
    test(`${state} + reload: changes nothing`, () => {
      expectTransition(state, { type: 'reload' }, { next: state, effects: [] });
    });
  }

  for (const state of ['stopped', 'starting', 'running', 'backoff', 'stopping', 'exited', 'fatal'] as const) {
    for (const type of ['next-ready', 'next-exit', 'next-timeout', 'next-failed'] as const) {
      test(`${state} + ${type}: a late word of a new process that is gone changes nothing`, () => {
        expectTransition(state, makeEvent(type), { next: state, effects: [] });
      });
    }
  }

  for (const state of ['starting', 'running', 'reloading'] as const) {
    test(`${state} + main-pid: follows the new main process`, () => {
      expectTransition(
        state,
        { type: 'main-pid', pid: 4242, source: 'MAINPID=' },
        {
          next: state,
          effects: [{ type: 'follow-pid', pid: 4242 }],
          reason: 'main process is now pid 4242 (MAINPID=)',
        },
        state === 'reloading' ? replacing : makeContext(),
      );
    });
  }

  for (const state of ['stopped', 'backoff', 'stopping', 'exited', 'fatal'] as const) {
    test(`${state} + main-pid: changes nothing`, () => {
      expectTransition(state, makeEvent('main-pid'), { next: state, effects: [] });
    });
  }
});
