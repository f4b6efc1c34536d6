import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { findCgroup2Mount } from '../../src/process/cgroup-mounts.js';
import {
  createProgram,
  createTendHome,
  fixture,
  getEvents,
  isAlive,
  killDaemon,
  ROOT,
  readLog,
  readProcStat,
  type TendHome,
  waitFor,
  waitForProgram,
} from './helpers.js';

// Every process of a program is the program's: a grandchild that called setsid() and a double-forked
// child die with `tend stop`, in cgroup mode and in the fallback (process group + /proc sweep);
// limits go through the cgroup v2 cgroup, or a cgroup v1 one on a hybrid host; a `user:` program has
// its user's groups; an exec that fails at run time reports 127/126 and leaves no zombie.

const isRoot = process.getuid?.() === 0;

type Controller = 'memory' | 'cpu' | 'pids';
type LimitPlace = { version: 1 | 2; cgroup: string };

interface Detail {
  tracking: {
    mode: string;
    cgroup: string | null;
    limits: Partial<Record<Controller, LimitPlace>>;
    note: string | null;
  } | null;
  reason: string | null;
  state: string;
}

/** The file that holds a limit in the cgroup that carries it (v2 and v1 name them differently). */
const LIMIT_FILES: Record<Controller, Record<1 | 2, string>> = {
  memory: { 2: 'memory.max', 1: 'memory.limit_in_bytes' },
  cpu: { 2: 'cpu.max', 1: 'cpu.cfs_quota_us' },
  pids: { 2: 'pids.max', 1: 'pids.max' },
};

function readLimit(controller: Controller, place: LimitPlace): string {
  return readFileSync(join(place.cgroup, LIMIT_FILES[controller][place.version]), 'utf8').trim();
}

/** The v1 trees (tend-<hash>) that carry a program's limits. */
function getV1Trees(detail: Detail): string[] {
  const places = Object.values(detail.tracking?.limits ?? {});
  return [...new Set(places.filter((place) => place.version === 1).map((place) => dirname(place.cgroup)))];
}

/** The real interpreter (a pyenv shim would fork helpers that count against pids.max); null without one. */
function findPython(): string | null {
  const found = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
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

test('show says which mode a program runs under, where each limit applies, and notes the ones it cannot', {
  skip: !isRoot,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await createProgram(h, {
    name: 'limited',
    command: [fixture('sleeper.sh')],
    startSecs: 100,
    limits: { memory: '64MB', cpu: 0.5, pids: 50 },
  });
  const detail = await h.tendJson<Detail & { limits: { memoryBytes: number; pids: number } }>([
    'show',
    'limited',
  ]);
  assert.equal(detail.tracking?.mode, 'cgroup');
  assert.deepEqual([detail.limits.memoryBytes, detail.limits.pids], [64 * 1024 * 1024, 50]);
  const expected: Record<Controller, Record<1 | 2, string>> = {
    memory: { 2: String(64 * 1024 * 1024), 1: String(64 * 1024 * 1024) },
    cpu: { 2: '50000 100000', 1: '50000' },
    pids: { 2: '50', 1: '50' },
  };
  const shown: string[] = [];
  for (const controller of ['memory', 'cpu', 'pids'] as const) {
    const place: LimitPlace | undefined = detail.tracking?.limits[controller];
    if (place) {
      assert.equal(readLimit(controller, place), expected[controller][place.version], `${controller} file`);
      shown.push(place.version === 2 ? '(cgroup v2)' : `(cgroup v1 ${controller})`);
    } else {
      assert.match(
        detail.tracking?.note ?? '',
        new RegExp(`no ${controller} controller`),
        `a note for ${controller}`,
      );
      shown.push('(not applied)');
    }
  }
  const memory = detail.tracking?.limits.memory;
  if (memory?.version === 1 && existsSync(join(memory.cgroup, 'memory.memsw.limit_in_bytes'))) {
    const swap = readFileSync(join(memory.cgroup, 'memory.memsw.limit_in_bytes'), 'utf8').trim();
    assert.equal(swap, String(64 * 1024 * 1024), 'no swap beyond the limit');
  }
  const text = await h.tend(['show', 'limited']);
  assert.match(text.stdout, /tracking\s+cgroup \//);
  const [onMemory, onCpu, onPids] = shown.map((where) => where.replace(/[()]/g, '\\$&'));
  assert.match(
    text.stdout,
    new RegExp(`limits\\s+memory 64MB ${onMemory}, cpu 0.5 ${onCpu}, pids 50 ${onPids}`),
  );
});

/** 256 MB asked for under a 32 MB limit. */
const MEMORY_HOG = {
  name: 'hog',
  command: ['python3', '-c', 'import time; x = bytearray(256 * 1024 * 1024); time.sleep(30)'],
  startSecs: 100,
  restart: 'never',
  limits: { memory: '32MB' },
};

/** The program is killed, and its history says it ran out of memory. */
async function assertOomKilled(h: TendHome, name: string): Promise<void> {
  await waitForProgram(h, name, (row) => row.state === 'exited', 10_000, 'killed');
  const events = await getEvents(h, name);
  assert.ok(
    events.some((event) => /SIGKILL \(out of memory/.test(event.message ?? '')),
    JSON.stringify(events),
  );
}

test('limits.memory: a program that allocates beyond it is OOM-killed, and the history says so', {
  skip: !isRoot ? 'needs root' : false,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await createProgram(h, MEMORY_HOG);
  const detail = await h.tendJson<Detail>(['show', 'hog']);
  if (!detail.tracking?.limits.memory) {
    t.skip(`no memory controller in any cgroup hierarchy tend may write here: ${detail.tracking?.note}`);
    return;
  }
  await assertOomKilled(h, 'hog');
});

test('limits.pids: forks beyond it fail with EAGAIN, and the processes it has are within it', {
  skip: !isRoot ? 'needs root' : !findPython() ? 'needs python3' : false,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  // Forks right after exec: the program is in its cgroups before it runs.
  const forks = [
    'import errno, os, time',
    'made, failed, codes = 0, 0, set()',
    'for _ in range(20):',
    '    try:',
    '        pid = os.fork()',
    '    except OSError as error:',
    '        failed += 1',
    '        codes.add(errno.errorcode[error.errno])',
    '        continue',
    '    if pid == 0:',
    '        time.sleep(100)',
    '        os._exit(0)',
    '    made += 1',
    'print("forked", made, "failed", failed, *sorted(codes), flush=True)',
    'time.sleep(100)',
  ].join('\n');
  await createProgram(h, {
    name: 'forker',
    command: [findPython() as string, '-c', forks],
    startSecs: 100,
    restart: 'never',
    limits: { pids: 5 },
  });
  const detail = await h.tendJson<Detail>(['show', 'forker']);
  const place = detail.tracking?.limits.pids;
  if (!place) {
    t.skip(`no pids controller in any cgroup hierarchy tend may write here: ${detail.tracking?.note}`);
    return;
  }
  assert.equal(readLimit('pids', place), '5');
  const line = await waitFor(
    async () =>
      (await readLog(h.home, 'forker', 'out')).split('\n').find((text) => text.startsWith('forked')),
    10_000,
    'the fork count',
  );
  assert.equal(line, 'forked 4 failed 16 EAGAIN', 'the program and 4 children are the 5 allowed');
});

test('with no writable cgroup2 tree, limits still apply through cgroup v1 and tracking is group + sweep', {
  skip: !isRoot
    ? 'needs root'
    : spawnSync('unshare', ['--version']).status !== 0
      ? 'needs unshare(1)'
      : !findCgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'))
        ? 'no cgroup2 mount to make read-only'
        : false,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  // The daemon runs in a mount namespace of its own where the cgroup2 mount is read-only.
  const v2 = findCgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'))?.mountPoint as string;
  const script = 'mount -o remount,bind,ro "$1" && exec "$2" "$3" daemon start';
  const tend = join(ROOT, 'bin', 'tend.js');
  const started = spawnSync(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', v2, process.execPath, tend],
    { env: { ...process.env, NO_COLOR: '1', TEND_HOME: h.home }, encoding: 'utf8' },
  );
  assert.equal(started.status, 0, started.stderr);
  await createProgram(h, MEMORY_HOG);
  const detail = await h.tendJson<Detail>(['show', 'hog']);
  assert.equal(detail.tracking?.mode, 'process-group');
  const memory = detail.tracking?.limits.memory;
  if (!memory) {
    t.skip(`no writable cgroup v1 memory hierarchy here: ${detail.tracking?.note}`);
    return;
  }
  assert.equal(memory.version, 1);
  assert.equal(readLimit('memory', memory), String(32 * 1024 * 1024));
  await assertOomKilled(h, 'hog');
  await h.cleanup();
  assert.ok(!existsSync(dirname(memory.cgroup)), 'the v1 tree removed when the daemon stopped');
});

test('v1 program cgroups go with a deleted program, with the daemon, and when a SIGKILLed daemon left them', {
  skip: !isRoot ? 'needs root' : !findPython() ? 'needs python3' : false,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const limits = { memory: '512MB', cpu: 1, pids: 50 };
  // A child with 300 MB to free when it dies: it is still in its cgroups when the main one is reaped.
  const slowToExit = `${findPython()} -c "x = b'x' * (300 << 20); import time; time.sleep(1000)" & exec sleep 1000`;
  const command = ['/bin/sh', '-c', slowToExit];
  await createProgram(h, { name: 'gone', command, startSecs: 100, limits });
  const detail = await h.tendJson<Detail>(['show', 'gone']);
  const trees = getV1Trees(detail);
  if (trees.length === 0) {
    t.skip('every limit goes to cgroup v2 here (or nowhere): no v1 cgroup to remove');
    return;
  }
  const cgroups = trees.map((tree) => join(tree, 'gone.program'));
  for (const cgroup of cgroups) assert.ok(existsSync(cgroup), `${cgroup} made`);
  const deleted = await h.tend(['delete', 'gone']);
  assert.equal(deleted.code, 0, deleted.stderr);
  for (const cgroup of cgroups) assert.ok(!existsSync(cgroup), `${cgroup} removed with the program`);

  await createProgram(h, { name: 'kept', command, startSecs: 100, limits });
  await killDaemon(h);
  // What a SIGKILLed daemon leaves: the cgroup of a program that ended while no daemon watched it.
  for (const tree of trees) mkdirSync(join(tree, 'ended.program'));
  const restarted = await h.tend(['daemon', 'start']);
  assert.equal(restarted.code, 0, restarted.stderr);
  for (const tree of trees) {
    assert.ok(!existsSync(join(tree, 'ended.program')), `the empty leftover in ${tree} removed`);
    assert.ok(existsSync(join(tree, 'kept.program')), `the running program's cgroup in ${tree} kept`);
  }
  await h.cleanup();
  for (const tree of trees) assert.ok(!existsSync(tree), `${tree} removed when the daemon stopped`);
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
