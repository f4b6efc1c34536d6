import assert from 'node:assert/strict';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { waitFor } from '../../test/e2e/helpers.js';
import { ExecFailedError, SpawnFailedError } from '../errors.js';
import { getNativeHelper } from '../native.js';
import { findCgroup2Mount, findOwnCgroup } from './cgroup-mounts.js';
import { ProgramCgroup } from './cgroup-program.js';
import { type SpawnRequest, spawnChild } from './spawn.js';
import { spawnWithNode } from './spawn-node.js';

// The native spawner with real processes: what the child gets (fds, env, session, umask, signals) and
// how failures come back. Each child writes what it sees to a file given as its stdout.

const native = getNativeHelper();
const skip = !native?.spawnProcess ? 'needs the native helper (Linux)' : false;

function run(t: { after(fn: () => void): void }, script: string, extra: Partial<SpawnRequest> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tend-spawn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = openSync(join(dir, 'out'), 'w');
  const request: SpawnRequest = {
    name: 'probe',
    argv: ['/bin/sh', '-c', script],
    cwd: dir,
    env: { PATH: '/usr/bin:/bin', KEEP: 'kept' },
    stdout: out,
    stderr: out,
    ...extra,
  };
  try {
    const child = spawnChild(request);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.onExit((code, signal) => resolve({ code, signal })),
    );
    return { child, dir, exited, output: () => readFileSync(join(dir, 'out'), 'utf8') };
  } finally {
    closeSync(out);
  }
}

function isZombieOf(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

test('the child leads a new session, runs in cwd with the env given, and its exit code comes back', {
  skip,
}, async (t) => {
  const probe = run(t, 'echo "$$ $(ps -o sid= -p $$) $KEEP $(pwd)"; exit 7');
  const { code, signal } = await probe.exited;
  assert.deepEqual({ code, signal }, { code: 7, signal: null });
  const [pid, sid, keep, cwd] = probe.output().trim().split(/\s+/);
  assert.equal(pid, String(probe.child.pid));
  assert.equal(sid, pid, 'session leader');
  assert.equal(keep, 'kept');
  assert.equal(cwd, probe.dir);
});

test('the exit is still seen after a garbage collection (the native handle is held while the child runs)', {
  skip,
}, async (t) => {
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  const probe = run(t, 'exec sleep 30');
  for (let round = 0; round < 3; round++) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  process.kill(probe.child.pid as number, 'SIGTERM');
  assert.deepEqual(await probe.exited, { code: null, signal: 'SIGTERM' });
});

test('a death by signal is reported with the signal name', { skip }, async (t) => {
  const probe = run(t, 'kill -ABRT $$');
  assert.deepEqual(await probe.exited, { code: null, signal: 'SIGABRT' });
});

test('only the mapped fds cross exec, stdin is /dev/null, and extra fds land at their numbers', {
  skip,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tend-spawn-extra-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'in'), 'hello\n');
  const extra = openSync(join(dir, 'in'), 'r');
  // An fd the daemon holds open without close-on-exec must not reach the child.
  const leaked = openSync(join(dir, 'in'), 'r');
  t.after(() => {
    closeSync(extra);
    closeSync(leaked);
  });
  const listing = run(t, '', { argv: ['/bin/ls', '-1', '/proc/self/fd'], extraFds: [{ fd: extra, at: 5 }] });
  assert.equal((await listing.exited).code, 0);
  // 3 is the directory `ls` itself opens to read /proc/self/fd.
  assert.deepEqual(listing.output().trim().split('\n'), ['0', '1', '2', '3', '5']);
  const probe = run(t, 'readlink /proc/self/fd/0; cat <&5', { extraFds: [{ fd: extra, at: 5 }] });
  assert.equal((await probe.exited).code, 0);
  const [stdin, line] = probe.output().split('\n');
  assert.equal(stdin, '/dev/null');
  assert.equal(line, 'hello');
});

test('held sockets go to 3, 4, … with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID = the child’s own pid', {
  skip,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tend-spawn-listen-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a'), 'A\n');
  writeFileSync(join(dir, 'b'), 'B\n');
  const a = openSync(join(dir, 'a'), 'r');
  const b = openSync(join(dir, 'b'), 'r');
  t.after(() => {
    closeSync(a);
    closeSync(b);
  });
  const probe = run(t, 'echo "$$ $LISTEN_PID $LISTEN_FDS $LISTEN_FDNAMES"; cat <&3; cat <&4', {
    listenFds: [
      { fd: a, name: 'web' },
      { fd: b, name: 'admin' },
    ],
    env: { PATH: '/usr/bin:/bin', LISTEN_PID: '1' },
  });
  assert.equal((await probe.exited).code, 0);
  const [ids, first, second] = probe.output().split('\n');
  const [pid, listenPid, count, names] = (ids ?? '').split(' ');
  assert.equal(listenPid, pid);
  assert.equal(pid, String(probe.child.pid));
  assert.equal(count, '2');
  assert.equal(names, 'web:admin');
  assert.deepEqual([first, second], ['A', 'B']);
});

test('umask is set and signal dispositions are back to default (SIGPIPE is not ignored)', {
  skip,
}, async (t) => {
  // grep reads its own status: the shell blocks signals of its own while it waits for a command.
  const probe = run(t, 'umask; grep -E "^Sig(Ign|Blk)" /proc/self/status', { umask: 0o027 });
  assert.equal((await probe.exited).code, 0);
  const [mask, blocked, ignored] = probe.output().trim().split('\n');
  assert.equal(mask, '0027');
  assert.match(ignored ?? '', /^SigIgn:\s+0+$/);
  assert.match(blocked ?? '', /^SigBlk:\s+0+$/);
});

test('a command that does not exist fails at once with ENOENT and 127, and leaves no zombie', {
  skip,
}, () => {
  const before = new Set(findZombieChildren());
  assert.throws(
    () =>
      spawnChild({
        name: 'nope',
        argv: ['no-such-command-tend'],
        cwd: '/',
        env: { PATH: '/usr/bin:/bin' },
        stdout: 1,
        stderr: 2,
      }),
    (error: unknown) =>
      error instanceof ExecFailedError && error.exitCode === 127 && error.errnoCode === 'ENOENT',
  );
  assert.deepEqual(
    findZombieChildren().filter((pid) => !before.has(pid)),
    [],
  );
});

test('a file that is not executable fails with EACCES and 126; a missing cwd names chdir', { skip }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tend-spawn-noexec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'script'), '#!/bin/sh\n', { mode: 0o644 });
  const base = { name: 'x', cwd: dir, env: {}, stdout: 1, stderr: 2 };
  assert.throws(
    () => spawnChild({ ...base, argv: [join(dir, 'script')] }),
    (error: unknown) =>
      error instanceof ExecFailedError && error.exitCode === 126 && error.errnoCode === 'EACCES',
  );
  assert.throws(
    () => spawnChild({ ...base, argv: ['/bin/true'], cwd: join(dir, 'gone') }),
    (error: unknown) => error instanceof ExecFailedError && /chdir/.test(error.message),
  );
  assert.deepEqual(findZombieChildren(), []);
});

test('the child writes "0" to every cgroup.procs fd it is given before the program runs', {
  skip,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tend-spawn-cgroup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Plain files stand in for cgroup.procs: what the child wrote is there when the program reads them.
  const files = ['v2.procs', 'memory.procs', 'pids.procs'].map((name) => join(dir, name));
  const fds = files.map((file) => openSync(file, 'w'));
  const probe = (() => {
    try {
      return run(t, `cat ${files.join(' ')}`, { cgroupProcsFds: fds });
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  })();
  assert.deepEqual(await probe.exited, { code: 0, signal: null });
  assert.equal(probe.output(), '000');
});

test('a cgroup.procs fd the child cannot write to fails the spawn, naming the step', { skip }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tend-spawn-cgroup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'procs'), '');
  const [writable, readOnly] = [openSync(join(dir, 'procs'), 'w'), openSync(join(dir, 'procs'), 'r')];
  t.after(() => {
    for (const fd of [writable, readOnly]) closeSync(fd);
  });
  assert.throws(
    () =>
      spawnChild({
        name: 'x',
        argv: ['/bin/true'],
        cwd: dir,
        env: {},
        stdout: 1,
        stderr: 2,
        cgroupProcsFds: [writable, readOnly],
      }),
    (error: unknown) =>
      error instanceof ExecFailedError &&
      error.errnoCode === 'EBADF' &&
      /write\(cgroup\.procs\)/.test(error.message),
  );
  assert.deepEqual(findZombieChildren(), []);
});

test('the portable spawner refuses to start a program it cannot put in its cgroups first', () => {
  assert.throws(
    () =>
      spawnWithNode({
        name: 'limited',
        argv: ['/bin/true'],
        cwd: '/',
        env: {},
        stdout: 1,
        stderr: 2,
        cgroupProcsFds: [1],
      }),
    (error: unknown) => error instanceof SpawnFailedError && /cannot join cgroups/.test(error.message),
  );
});

function findZombieChildren(): number[] {
  const children = readFileSync(`/proc/self/task/${process.pid}/children`, 'latin1').trim();
  return children ? children.split(' ').map(Number).filter(isZombieOf) : [];
}

// A program with a cgroup is born in it (clone3 CLONE_INTO_CGROUP), or, where that is not to be had
// (a cgroup that cannot be made anew, a kernel before 5.7, not x86_64), moves itself in before exec:
// either way its first instruction already runs there.
function makeCgroup(t: { after(fn: () => void): void }): string | null {
  const mount = findCgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'));
  const own = findOwnCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
  if (!mount || own === null || process.getuid?.() !== 0) return null;
  const relative = own.startsWith(mount.root) ? own.slice(mount.root.length) : own;
  const path = join(mount.mountPoint, relative, `tend-spawn-test-${process.pid}`);
  try {
    mkdirSync(path);
  } catch {
    return null;
  }
  t.after(() => rmdirSync(path));
  return path;
}

for (const clone3 of [true, false]) {
  test(`a child given a cgroup runs in it from exec on (${clone3 ? 'clone3' : 'cgroup.procs'})`, {
    skip,
  }, async (t) => {
    const cgroup = makeCgroup(t);
    if (!cgroup) return t.skip('needs root and a writable cgroup2 hierarchy');
    const dirFd = openSync(cgroup, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      const probe = run(t, 'cat /proc/self/cgroup', { cgroupFd: dirFd, cloneIntoCgroup: clone3 });
      assert.equal((await probe.exited).code, 0);
      const line = probe
        .output()
        .split('\n')
        .find((entry) => entry.startsWith('0::'));
      assert.ok(line?.endsWith(`/tend-spawn-test-${process.pid}`), `in ${line}`);
    } finally {
      closeSync(dirFd);
    }
  });
}

// Linux 6.14+ SIGKILLs a child cloned into a cgroup that ever had cgroup.kill written: a program's
// cgroup is made anew before each spawn, so the run after a killed one starts.
test('a program cgroup that went through cgroup.kill still takes the next run', { skip }, async (t) => {
  const parent = makeCgroup(t);
  if (!parent) return t.skip('needs root and a writable cgroup2 hierarchy');
  const program = new ProgramCgroup(join(parent, 'p.program'), new Set());
  const limits = { memory: null, cpu: null, pids: null };
  for (const round of [1, 2]) {
    const { fd, fresh } = program.prepare(limits);
    assert.equal(fresh, true, `round ${round}: the empty cgroup is made anew`);
    const probe = (() => {
      try {
        return run(t, round === 1 ? 'exec sleep 1000' : 'exit 3', { cgroupFd: fd, cloneIntoCgroup: fresh });
      } finally {
        closeSync(fd);
      }
    })();
    if (round === 1) {
      // Killed once it runs, as a program is.
      await waitFor(() => readCmdline(probe.child.pid).includes('sleep'), 5000, 'the program to run');
      assert.ok(program.kill(), 'cgroup.kill written');
    }
    const expected = round === 1 ? { code: null, signal: 'SIGKILL' } : { code: 3, signal: null };
    const exited = await probe.exited;
    if (round === 2) program.remove(); // before the parent goes (t.after)
    assert.deepEqual(exited, expected);
  }
});

function readCmdline(pid: number | undefined): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
}
