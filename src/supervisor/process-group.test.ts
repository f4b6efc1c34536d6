import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessTree, TrackingMode } from '../process/process-tree.js';
import { FakeSystem } from './fake-system.js';
import { ProcessGroup } from './process-group.js';

// What is left of an exited program's group: signalled, and SIGKILLed at the stop timeout, unless its
// cgroup says nothing is left.

function fakeTree(mode: TrackingMode, alive: number): ProcessTree & { signalled: NodeJS.Signals[] } {
  const signalled: NodeJS.Signals[] = [];
  return {
    signalled,
    tracking: { mode, cgroup: mode === 'cgroup' ? '/sys/fs/cgroup/t/p.program' : null, note: null },
    beforeSpawn: () => ({ cgroupProcsFds: [], release: () => {} }),
    signalOthers(_pgid: number | null, signal: NodeJS.Signals) {
      signalled.push(signal);
      return alive > 0;
    },
    countAlive: () => alive,
    takeOomKills: () => 0,
    usage: () => null,
    remove: () => {},
  } as unknown as ProcessTree & { signalled: NodeJS.Signals[] };
}

test('an empty program cgroup means nothing of the group is left: no signal is sent', () => {
  const system = new FakeSystem();
  const tree = fakeTree('cgroup', 0);
  new ProcessGroup(system, tree).reap(4000, 'SIGKILL', 10_000);
  assert.deepEqual(system.kills, []);
  assert.deepEqual(tree.signalled, []);
});

test('a cgroup with a leftover: the group and the cgroup get the signal, then SIGKILL at the timeout', () => {
  const system = new FakeSystem();
  const leftover = system.addProcess(4001, { pgid: 4000 });
  const tree = fakeTree('cgroup', 1);
  new ProcessGroup(system, tree).reap(4000, 'SIGTERM', 10_000);
  assert.deepEqual(system.kills, [{ pid: -4000, signal: 'SIGTERM' }]);
  assert.deepEqual(tree.signalled, ['SIGTERM']);
  system.advance(10_000);
  assert.deepEqual(system.kills.at(-1), { pid: -4000, signal: 'SIGKILL' });
  leftover.end();
});

test('without a cgroup the group is always signalled (the sweep cannot say it is empty)', () => {
  const system = new FakeSystem();
  new ProcessGroup(system, fakeTree('process-group', 0)).reap(4000, 'SIGKILL', 10_000);
  assert.deepEqual(system.kills, [{ pid: -4000, signal: 'SIGKILL' }]);
});
