import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findCgroup2Mount, findOwnCgroup, formatCpuMax } from './cgroup.js';

// Finding the unified hierarchy from what the kernel prints, never from a hard-coded path.

const HYBRID = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

test('finds the cgroup2 mount beside v1 controllers, and none where there is no cgroup2', () => {
  assert.deepEqual(findCgroup2Mount(HYBRID), { mountPoint: '/sys/fs/cgroup/unified', root: '/' });
  assert.equal(findCgroup2Mount(HYBRID.split('\n').slice(0, 2).join('\n')), null);
});

test('reads a mount point with escaped spaces and a bind-mounted root (a container)', () => {
  const line = '50 40 0:30 /docker/abc /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw,nsdelegate';
  assert.deepEqual(findCgroup2Mount(line), { mountPoint: '/sys/fs/my cgroup', root: '/docker/abc' });
});

test('takes the unified line of /proc/self/cgroup', () => {
  assert.equal(findOwnCgroup('4:memory:/x\n0::/user.slice/session-1.scope\n'), '/user.slice/session-1.scope');
  assert.equal(findOwnCgroup('4:memory:/x\n'), null);
});

test('cpu.max is the quota per 100 ms period, at least 1 ms', () => {
  assert.equal(formatCpuMax(0.5), '50000 100000');
  assert.equal(formatCpuMax(2), '200000 100000');
  assert.equal(formatCpuMax(0.001), '1000 100000');
});
