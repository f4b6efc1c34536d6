import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ResourceController } from './cgroup.js';
import { ProgramCgroupsV1 } from './cgroup-v1-program.js';

// One program's v1 cgroups, on plain directories standing in for the hierarchies: what lands in the
// limit files, one cgroup.procs per cgroup, what is read back, and removal.

function makeRoot(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'tend-cgv1-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

test('prepare writes each limit into its cgroup and opens one cgroup.procs per cgroup', (t) => {
  const root = makeRoot(t);
  const shared = join(root, 'cpu,memory', 'web.program');
  const places = new Map<ResourceController, string>([
    ['memory', shared],
    ['cpu', shared],
    ['pids', join(root, 'pids', 'web.program')],
  ]);
  const fds = new ProgramCgroupsV1(places).prepare({ memory: 32 * 1024 * 1024, cpu: 0.25, pids: 5 });
  for (const fd of fds) closeSync(fd);
  assert.equal(fds.length, 2, 'cpu and memory mounted together are one cgroup, joined once');
  const read = (path: string, file: string) => readFileSync(join(path, file), 'utf8');
  assert.equal(read(shared, 'memory.limit_in_bytes'), '33554432');
  assert.equal(read(shared, 'memory.memsw.limit_in_bytes'), '33554432');
  assert.equal(read(shared, 'cpu.cfs_quota_us'), '25000');
  assert.equal(read(shared, 'cpu.cfs_period_us'), '100000');
  assert.equal(read(join(root, 'pids', 'web.program'), 'pids.max'), '5');
  assert.ok(existsSync(join(shared, 'cgroup.procs')));
});

test('reads OOM kills and usage from the v1 files, and nothing where a controller has no cgroup', (t) => {
  const root = makeRoot(t);
  const memory = join(root, 'memory');
  const cgroups = new ProgramCgroupsV1(new Map([['memory', memory]]));
  cgroups.prepare({ memory: 1024 * 1024, cpu: null, pids: null }).forEach(closeSync);
  writeFileSync(join(memory, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  writeFileSync(join(memory, 'memory.usage_in_bytes'), '4096\n');
  assert.equal(cgroups.oomKills(), 2);
  assert.deepEqual(cgroups.usage(), { cpuUsec: null, memoryBytes: 4096 });
  const cpu = join(root, 'cpu,cpuacct');
  const counted = new ProgramCgroupsV1(new Map([['cpu', cpu]]));
  counted.prepare({ memory: null, cpu: 1, pids: null }).forEach(closeSync);
  writeFileSync(join(cpu, 'cpuacct.usage'), '2500000\n');
  assert.deepEqual(counted.usage(), { cpuUsec: 2500, memoryBytes: null });
  assert.equal(counted.oomKills(), 0);
});

test('remove takes the empty cgroups and leaves one that is not', (t) => {
  const root = makeRoot(t);
  const cgroups = new ProgramCgroupsV1(new Map([['pids', join(root, 'pids')]]));
  cgroups.prepare({ memory: null, cpu: null, pids: 5 }).forEach(closeSync);
  // A plain directory with files in it refuses rmdir, as a cgroup with processes does.
  cgroups.remove();
  assert.ok(existsSync(join(root, 'pids')));
  rmSync(join(root, 'pids', 'pids.max'));
  rmSync(join(root, 'pids', 'cgroup.procs'));
  cgroups.remove();
  assert.ok(!existsSync(join(root, 'pids')));
});
