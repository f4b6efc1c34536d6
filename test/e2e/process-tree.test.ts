import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createProgram,
  createTendHome,
  fixture,
  getEvents,
  isAlive,
  readLog,
  readProcStat,
  type TendHome,
  waitFor,
  waitForProgram,
} from './helpers.js';

// Every process of a program is the program's: a grandchild that called setsid() and a double-forked
// child die with `tend stop`, in cgroup mode and in the fallback (process group + /proc sweep);
// limits go through the cgroup; a `user:` program has its user's groups; an exec that fails at run
// time reports 127/126 and leaves no zombie.

const isRoot = process.getuid?.() === 0;

interface Detail {
  tracking: { mode: string; cgroup: string | null; note: string | null } | null;
  reason: string | null;
  state: string;
}

async function startEscapes(h: TendHome, env: Record<string, string>): Promise<number[]> {
  const started = await h.tend(['daemon', 'start'], { env });
  assert.equal(started.code, 0, started.stderr);
  const pidFile = join(h.home, 'escaped.pids');
  await createProgram(h, { name: 'esc', command: [fixture('escapes.sh'), pidFile], startSecs: 100 });
  await waitFor(async () => (await readLog(h.home, 'esc', 'out')).includes('ready'), 5000, 'esc ready');
  const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
  assert.equal(pids.length, 2);
  for (const pid of pids) assert.ok(isAlive(pid), `escaped process ${pid} runs`);
  const [setsid] = pids as [number, number];
  assert.equal(readProcStat(setsid)?.get(6), String(setsid), 'the first one leads its own session');
  return pids;
}

for (const mode of ['cgroup', 'process-group'] as const) {
  test(`stop ends a setsid'd grandchild and a double-forked child too (${mode})`, {
    skip: mode === 'cgroup' && !isRoot ? 'cgroup mode needs a writable cgroup2 (root here)' : false,
  }, async (t) => {
    const h = await createTendHome();
    t.after(h.cleanup);
    const env: Record<string, string> = mode === 'process-group' ? { TEND_NO_CGROUP: '1' } : {};
    const pids = await startEscapes(h, env);
    const detail = await h.tendJson<Detail>(['show', 'esc']);
    assert.equal(detail.tracking?.mode, mode);
    const stopped = await h.tend(['stop', 'esc']);
    assert.equal(stopped.code, 0, stopped.stderr);
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 5000, 'the escaped processes to die');
  });
}

test('show says which mode a program runs under, and notes limits it cannot apply', {
  skip: !isRoot,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await createProgram(h, {
    name: 'limited',
    command: [fixture('sleeper.sh')],
    startSecs: 100,
    limits: { memory: '64MB', pids: 50 },
  });
  const detail = await h.tendJson<Detail & { limits: { memoryBytes: number; pids: number } }>([
    'show',
    'limited',
  ]);
  assert.equal(detail.tracking?.mode, 'cgroup');
  assert.deepEqual([detail.limits.memoryBytes, detail.limits.pids], [64 * 1024 * 1024, 50]);
  const cgroup = detail.tracking?.cgroup as string;
  const controllers = readFileSync(join(cgroup, 'cgroup.controllers'), 'utf8').split(/\s+/);
  for (const [controller, file, value] of [
    ['memory', 'memory.max', String(64 * 1024 * 1024)],
    ['pids', 'pids.max', '50'],
  ] as const) {
    if (controllers.includes(controller))
      assert.equal(readFileSync(join(cgroup, file), 'utf8').trim(), value);
    else
      assert.match(detail.tracking?.note ?? '', new RegExp(`no .*${controller}`), `a note for ${controller}`);
  }
  const text = await h.tend(['show', 'limited']);
  assert.match(text.stdout, /tracking\s+cgroup \//);
  assert.match(text.stdout, /limits\s+memory 64MB, pids 50/);
});

test('limits.memory: a program that allocates beyond it is OOM-killed, and the history says so', {
  skip: !isRoot ? 'needs root' : false,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await createProgram(h, {
    name: 'hog',
    command: ['python3', '-c', 'import time; x = bytearray(256 * 1024 * 1024); time.sleep(30)'],
    startSecs: 100,
    restart: 'never',
    limits: { memory: '32MB' },
  });
  const detail = await h.tendJson<Detail>(['show', 'hog']);
  if (detail.tracking?.note) {
    t.skip(`the memory controller is not available here: ${detail.tracking.note}`);
    return;
  }
  await waitForProgram(h, 'hog', (row) => row.state === 'exited', 10_000, 'killed');
  const events = await getEvents(h, 'hog');
  assert.ok(
    events.some((event) => /SIGKILL \(out of memory/.test(event.message ?? '')),
    JSON.stringify(events),
  );
});

test('a user: program runs with that user’s supplementary groups', { skip: !isRoot }, async (t) => {
  const suffix = String(process.pid);
  const [user, group] = [`tendu${suffix}`, `tendg${suffix}`];
  const run = (...argv: string[]) =>
    assert.equal(spawnSync(argv[0] as string, argv.slice(1)).status, 0, argv.join(' '));
  run('groupadd', group);
  t.after(() => spawnSync('groupdel', [group]));
  run('useradd', '-M', '-N', '-G', group, user);
  t.after(() => spawnSync('userdel', [user]));
  const gid = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`${group}:`))
    ?.split(':')[2];
  const h = await createTendHome();
  t.after(h.cleanup);
  await createProgram(h, {
    name: 'asuser',
    command: ['/bin/sh', '-c', 'id -u -n; id -G; exec sleep 1000'],
    cwd: '/',
    user,
    startSecs: 100,
  });
  const out = await waitFor(
    async () => {
      const text = await readLog(h.home, 'asuser', 'out');
      return text.split('\n').length > 2 ? text : false;
    },
    5000,
    'the ids',
  );
  const [name, groups] = out.split('\n');
  assert.equal(name, user);
  assert.ok(groups?.split(' ').includes(gid as string), `groups ${groups} include ${group} (${gid})`);
});

test('an exec that fails at run time reports 126 or 127 and leaves no zombie', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const script = join(h.home, 'app.sh');
  writeFileSync(script, '#!/bin/sh\nexec sleep 1000\n', { mode: 0o755 });
  await createProgram(h, { name: 'app', command: [script], startSecs: 100, restart: 'never' });
  await waitForProgram(h, 'app', (row) => row.state === 'running', 5000, 'running');
  const { pid: daemonPid } = await h.tendJson<{ pid: number }>(['daemon', 'status']);
  chmodSync(script, 0o644);
  await h.tend(['restart', 'app']);
  const denied = await waitForProgram(h, 'app', (row) => row.state === 'fatal', 5000, 'fatal');
  assert.match(denied.reason ?? '', /EACCES.*exit status 126/);
  rmSync(script);
  await h.tend(['start', 'app']);
  const missing = await waitForProgram(h, 'app', (row) => /ENOENT/.test(row.reason ?? ''), 5000, 'ENOENT');
  assert.match(missing.reason ?? '', /exit status 127/);
  const zombies = readdirSync('/proc').filter((entry) => {
    const stat = /^\d+$/.test(entry) ? readProcStat(Number(entry)) : null;
    return stat?.get(4) === String(daemonPid) && stat.get(3) === 'Z';
  });
  assert.deepEqual(zombies, []);
});
