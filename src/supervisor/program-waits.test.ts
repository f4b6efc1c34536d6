import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeSystem } from './fake-system.js';
import type { ManagedProgram } from './managed-program.js';
import { drainLeftovers } from './program-waits.js';

// A delete or a daemon stop removes a program's cgroups only once what its stop signal reached has
// exited: drainLeftovers waits for that, on the System's clock, and not past its deadline.

function makeProgram(alive: { count: number }): ManagedProgram {
  return { hasProcessesLeft: () => alive.count > 0 } as unknown as ManagedProgram;
}

async function isSettled(promise: Promise<void>): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

test('resolves at once when no program has a process left', async () => {
  const drained = drainLeftovers([makeProgram({ count: 0 })], new FakeSystem());
  assert.equal(await isSettled(drained), true);
});

test('waits while a leftover is exiting, and resolves once it is gone', async () => {
  const system = new FakeSystem();
  const alive = { count: 1 };
  const drained = drainLeftovers([makeProgram({ count: 0 }), makeProgram(alive)], system);
  system.advance(50);
  assert.equal(await isSettled(drained), false);
  alive.count = 0;
  system.advance(10);
  assert.equal(await isSettled(drained), true);
});

test('gives up on a leftover that does not exit (its cgroup stays for the next daemon)', async () => {
  const system = new FakeSystem();
  const drained = drainLeftovers([makeProgram({ count: 1 })], system);
  system.advance(990);
  assert.equal(await isSettled(drained), false);
  system.advance(20);
  assert.equal(await isSettled(drained), true);
});
