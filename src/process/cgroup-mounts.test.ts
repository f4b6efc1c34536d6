import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  findCgroup2Mount,
  findCgroupV1Mount,
  findOwnCgroup,
  findOwnV1Cgroup,
  getCgroupDirectory,
} from './cgroup-mounts.js';

// Finding the hierarchies from what the kernel prints, never from a hard-coded path.

// A hybrid host (this one's shape): v1 hierarchies, cpu and cpuacct apart, and a cgroup2 mount.
const HYBRID = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '39 31 0:36 / /sys/fs/cgroup/pids rw,nosuid,relatime shared:20 - cgroup cgroup rw,pids',
  '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

// Ubuntu 20.04: cpu and cpuacct mounted together, optional fields before the separator.
const UBUNTU = [
  '34 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct',
  '36 25 0:31 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,memory',
].join('\n');

const PROC_CGROUP = [
  '9:name=systemd:/',
  '8:pids:/user.slice',
  '4:memory:/process_api/ef268e1ded8aa817be46f9d14456ec24',
  '2:cpu,cpuacct:/',
  '0::/',
].join('\n');

test('finds the cgroup2 mount beside v1 controllers, and none where there is no cgroup2', () => {
  assert.deepEqual(findCgroup2Mount(HYBRID), { mountPoint: '/sys/fs/cgroup/unified', root: '/' });
  assert.equal(findCgroup2Mount(HYBRID.split('\n').slice(0, 5).join('\n')), null);
});

test('reads a mount point with escaped spaces and a bind-mounted root (a container)', () => {
  const line = '50 40 0:30 /docker/abc /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw,nsdelegate';
  assert.deepEqual(findCgroup2Mount(line), { mountPoint: '/sys/fs/my cgroup', root: '/docker/abc' });
});

test('finds each v1 controller by its super options, not by the mount point’s name', () => {
  assert.deepEqual(findCgroupV1Mount(HYBRID, 'memory'), { mountPoint: '/sys/fs/cgroup/memory', root: '/' });
  assert.deepEqual(findCgroupV1Mount(HYBRID, 'pids'), { mountPoint: '/sys/fs/cgroup/pids', root: '/' });
  assert.deepEqual(findCgroupV1Mount(HYBRID, 'cpu'), { mountPoint: '/sys/fs/cgroup/cpu', root: '/' });
  assert.deepEqual(findCgroupV1Mount(UBUNTU, 'cpu'), { mountPoint: '/sys/fs/cgroup/cpu,cpuacct', root: '/' });
  assert.deepEqual(findCgroupV1Mount(UBUNTU, 'cpuacct'), findCgroupV1Mount(UBUNTU, 'cpu'));
  const renamed = '60 25 0:40 / /mnt/mem rw - cgroup whatever rw,memory';
  assert.deepEqual(findCgroupV1Mount(renamed, 'memory'), { mountPoint: '/mnt/mem', root: '/' });
});

test('a cgroup2 mount, a named hierarchy or a missing controller is no v1 hierarchy for it', () => {
  assert.equal(findCgroupV1Mount(HYBRID, 'hugetlb'), null);
  assert.equal(findCgroupV1Mount(HYBRID, 'systemd'), null);
  assert.equal(
    findCgroupV1Mount('41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,memory', 'memory'),
    null,
  );
  assert.equal(findCgroupV1Mount(UBUNTU, 'pids'), null);
});

test('takes the unified line of /proc/self/cgroup', () => {
  assert.equal(findOwnCgroup('4:memory:/x\n0::/user.slice/session-1.scope\n'), '/user.slice/session-1.scope');
  assert.equal(findOwnCgroup('4:memory:/x\n'), null);
});

test('takes the v1 line of each controller, also where two share a hierarchy', () => {
  assert.equal(findOwnV1Cgroup(PROC_CGROUP, 'memory'), '/process_api/ef268e1ded8aa817be46f9d14456ec24');
  assert.equal(findOwnV1Cgroup(PROC_CGROUP, 'pids'), '/user.slice');
  assert.equal(findOwnV1Cgroup(PROC_CGROUP, 'cpu'), '/');
  assert.equal(findOwnV1Cgroup(PROC_CGROUP, 'cpuacct'), '/');
  assert.equal(findOwnV1Cgroup(PROC_CGROUP, 'systemd'), null, 'name=systemd names no controller');
  assert.equal(findOwnV1Cgroup('0::/x', 'memory'), null);
  assert.equal(findOwnV1Cgroup('5:memory:/a:b', 'memory'), '/a:b', 'a colon in the path is kept');
});

test('a cgroup’s directory is its path under the mount, less the root the mount shows', () => {
  const plain = { mountPoint: '/sys/fs/cgroup/memory', root: '/' };
  assert.equal(getCgroupDirectory(plain, '/process_api/x'), '/sys/fs/cgroup/memory/process_api/x');
  assert.equal(getCgroupDirectory(plain, '/'), '/sys/fs/cgroup/memory');
  const container = { mountPoint: '/sys/fs/cgroup/memory', root: '/docker/abc' };
  assert.equal(getCgroupDirectory(container, '/docker/abc/app'), '/sys/fs/cgroup/memory/app');
  assert.equal(getCgroupDirectory(container, '/docker/abc'), '/sys/fs/cgroup/memory');
});
