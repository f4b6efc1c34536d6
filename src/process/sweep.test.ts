import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeProcReader } from '../proc/fake-proc-reader.js';
import { TaggedSweep } from './sweep.js';

const HOME = '/var/lib/tend';

/** A sweep whose cache lasts until the test ends the turn. */
function setup() {
  const proc = new FakeProcReader();
  const turnEnds: (() => void)[] = [];
  const sweep = new TaggedSweep(proc, (callback) => turnEnds.push(callback));
  const endTurn = () => {
    for (const callback of turnEnds.splice(0)) callback();
  };
  return { proc, sweep, endTurn };
}

test('finds the processes whose environment names this TEND_HOME and the program, with their groups', () => {
  const { proc, sweep } = setup();
  proc.add(10, { pgrp: 10, env: { TEND_HOME: HOME, TEND_PROGRAM: 'web' } });
  proc.add(11, { pgrp: 11, env: { PATH: '/bin', TEND_PROGRAM: 'web', TEND_HOME: HOME } });
  proc.add(12, { pgrp: 12, env: { TEND_HOME: HOME, TEND_PROGRAM: 'worker' } });
  assert.deepEqual(sweep.findTaggedProcesses(HOME, 'web'), [
    { pid: 10, pgid: 10 },
    { pid: 11, pgid: 11 },
  ]);
  assert.deepEqual(sweep.findTaggedProcesses(HOME, 'worker'), [{ pid: 12, pgid: 12 }]);
});

test('another home, a home that only starts the same, or no program name is not this program', () => {
  const { proc, sweep } = setup();
  proc.add(10, { env: { TEND_HOME: '/other', TEND_PROGRAM: 'web' } });
  proc.add(11, { env: { TEND_HOME: `${HOME}-2`, TEND_PROGRAM: 'web' } });
  proc.add(12, { env: { TEND_HOME: HOME } });
  assert.deepEqual(sweep.findTaggedProcesses(HOME, 'web'), []);
});

test('a process whose environment or stat cannot be read is left out', () => {
  const { proc, sweep } = setup();
  proc.add(10, { env: null });
  proc.add(11, { unreadable: true, env: { TEND_HOME: HOME, TEND_PROGRAM: 'web' } });
  assert.deepEqual(sweep.findTaggedProcesses(HOME, 'web'), []);
});

test('one pass over /proc serves every program in the same turn; the next turn looks again', () => {
  const { proc, sweep, endTurn } = setup();
  proc.add(10, { env: { TEND_HOME: HOME, TEND_PROGRAM: 'web' } });
  sweep.findTaggedProcesses(HOME, 'web');
  sweep.findTaggedProcesses(HOME, 'worker');
  assert.equal(proc.scans, 1);
  proc.remove(10);
  assert.equal(sweep.findTaggedProcesses(HOME, 'web').length, 1, 'still the pass of this turn');
  endTurn();
  assert.deepEqual(sweep.findTaggedProcesses(HOME, 'web'), []);
  assert.equal(proc.scans, 2);
});

test('a sweep for another home does not reuse this turn’s pass', () => {
  const { proc, sweep } = setup();
  sweep.findTaggedProcesses(HOME, 'web');
  sweep.findTaggedProcesses('/other', 'web');
  assert.equal(proc.scans, 2);
});
