import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getTreeName, type ResourceLimits } from './cgroup.js';
import { planV1Trees } from './cgroup-v1.js';
import { getV1LimitWrites, parseOomKills } from './cgroup-v1-program.js';

// Where the v1 trees go and what the limit files get: pure functions of what the kernel prints.

const MOUNTINFO = [
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '39 31 0:36 /docker/abc /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const PROC_CGROUP = ['8:pids:/docker/abc/svc', '4:memory:/process_api/ef26', '1:cpu:/', '0::/'].join('\n');
const HOME = '/root/.tend';
const NO_LIMITS: ResourceLimits = { memory: null, cpu: null, pids: null };

test('each wanted controller gets tend-<hash> under the daemon’s own cgroup in its hierarchy', () => {
  const plans = planV1Trees(HOME, ['memory', 'cpu', 'pids'], MOUNTINFO, PROC_CGROUP);
  const tree = getTreeName(HOME);
  assert.deepEqual(Object.fromEntries(plans), {
    memory: { tree: `/sys/fs/cgroup/memory/process_api/ef26/${tree}` },
    cpu: { tree: `/sys/fs/cgroup/cpu/${tree}` },
    pids: { tree: `/sys/fs/cgroup/pids/svc/${tree}` },
  });
});

test('a controller with no v1 hierarchy, or no line in /proc/self/cgroup, says why', () => {
  const plans = planV1Trees(
    HOME,
    ['memory', 'cpu'],
    MOUNTINFO.split('\n').slice(1).join('\n'),
    '4:memory:/\n',
  );
  assert.match((plans.get('cpu') as { reason: string }).reason, /no hierarchy has it/);
  const missing = planV1Trees(HOME, ['pids'], MOUNTINFO, '4:memory:/\n');
  assert.match((missing.get('pids') as { reason: string }).reason, /in no pids cgroup/);
});

test('memory: the limit and the same for memory+swap, memsw lifted first so either order is accepted', () => {
  assert.deepEqual(getV1LimitWrites('memory', { ...NO_LIMITS, memory: 32 * 1024 * 1024 }), [
    { file: 'memory.memsw.limit_in_bytes', value: '-1' },
    { file: 'memory.limit_in_bytes', value: '33554432' },
    { file: 'memory.memsw.limit_in_bytes', value: '33554432' },
  ]);
  assert.deepEqual(
    getV1LimitWrites('memory', NO_LIMITS).map((write) => write.value),
    ['-1', '-1', '-1'],
  );
});

test('cpu: a CFS quota per 100 ms period, at least 1 ms; -1 lifts it', () => {
  assert.deepEqual(getV1LimitWrites('cpu', { ...NO_LIMITS, cpu: 0.5 }), [
    { file: 'cpu.cfs_period_us', value: '100000' },
    { file: 'cpu.cfs_quota_us', value: '50000' },
  ]);
  assert.equal(getV1LimitWrites('cpu', { ...NO_LIMITS, cpu: 0.0001 })[1]?.value, '1000');
  assert.equal(getV1LimitWrites('cpu', NO_LIMITS)[1]?.value, '-1');
});

test('pids: pids.max, "max" when lifted', () => {
  assert.deepEqual(getV1LimitWrites('pids', { ...NO_LIMITS, pids: 50 }), [{ file: 'pids.max', value: '50' }]);
  assert.deepEqual(getV1LimitWrites('pids', NO_LIMITS), [{ file: 'pids.max', value: 'max' }]);
});

test('OOM kills come from memory.oom_control, and from memory.failcnt on kernels without oom_kill', () => {
  assert.equal(parseOomKills('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n', '17\n'), 3);
  assert.equal(parseOomKills('oom_kill_disable 0\nunder_oom 0\n', '17\n'), 17);
  assert.equal(parseOomKills(null, null), 0);
});
