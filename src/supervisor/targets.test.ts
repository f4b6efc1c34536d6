import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveTargets } from './targets.js';

const programs = [
  { name: 'web-1', key: 'web', instance: 1 },
  { name: 'db', key: 'db', instance: null },
  { name: 'web-0', key: 'web', instance: 0 },
];

test('a program key names all its instances, in order', () => {
  assert.deepEqual(resolveTargets('web', programs), ['web-0', 'web-1']);
});

test('an instance, a single program, several names and all', () => {
  assert.deepEqual(resolveTargets('web-1', programs), ['web-1']);
  assert.deepEqual(resolveTargets('db,web', programs), ['db', 'web-0', 'web-1']);
  assert.deepEqual(resolveTargets('web-0,web', programs), ['web-0', 'web-1']);
  assert.deepEqual(resolveTargets('all', programs), ['web-1', 'db', 'web-0']);
});

test('an unknown name fails with a did-you-mean', () => {
  assert.throws(() => resolveTargets('wbe', programs), /No program named "wbe" \(did you mean "web"\?\)/);
  assert.throws(() => resolveTargets('nosuch', programs), /^TargetNotFoundError: No program named "nosuch"$/);
  assert.throws(() => resolveTargets('db,', programs), /separated by commas/);
});
