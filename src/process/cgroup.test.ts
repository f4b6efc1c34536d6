import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCpuMax, getTreeName } from './cgroup.js';

test('cpu.max is the quota per 100 ms period, at least 1 ms', () => {
  assert.equal(formatCpuMax(0.5), '50000 100000');
  assert.equal(formatCpuMax(2), '200000 100000');
  assert.equal(formatCpuMax(0.001), '1000 100000');
});

test('each TEND_HOME has a tree of its own, named the same in every hierarchy', () => {
  assert.match(getTreeName('/home/a/.tend'), /^tend-[0-9a-f]{12}$/);
  assert.equal(getTreeName('/home/a/.tend'), getTreeName('/home/a/.tend'));
  assert.notEqual(getTreeName('/home/a/.tend'), getTreeName('/home/b/.tend'));
});
