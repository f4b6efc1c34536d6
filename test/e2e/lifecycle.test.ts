import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  assertStays,
  createTendHome,
  fixture,
  getEvents,
  getProgram,
  isAlive,
  type ProgramRow,
  readLog,
  readProcStat,
  startRunning,
  waitFor,
  waitForProgram,
} from './helpers.js';

// Starting, listing, showing, stopping and deleting programs through the CLI, with real processes.

test('start creates a program that ls reports as running with a live pid', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);

  const started = await h.tend([
    'start',
    '--name',
    'web',
    '--start-secs',
    '100ms',
    '--',
    fixture('sleeper.sh'),
  ]);
  assert.equal(started.code, 0, started.stderr);
  // start waits until the program runs (--no-wait returns while it is starting).
  assert.match(started.stdout, /^web: running \(pid \d+\)$/m);

  const rows = await h.tendJson<ProgramRow[]>(['ls']);
  assert.ok(Array.isArray(rows));
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.ok(row);
  for (const key of ['name', 'state', 'pid', 'restarts', 'exitCode', 'signal', 'startedAt']) {
    assert.ok(key in row, `ls --json rows have "${key}"`);
  }
  assert.equal(row.name, 'web');
  assert.equal(typeof row.pid, 'number');
  assert.equal(row.restarts, 0);
  assert.equal(row.exitCode, null);
  assert.equal(row.signal, null);
  assert.equal(typeof row.startedAt, 'string');
  assert.ok(!Number.isNaN(Date.parse(row.startedAt ?? '')));

  const running = await waitForProgram(h, 'web', (r) => r.state === 'running', 5000, 'running');
  assert.equal(running.pid, row.pid);
  assert.ok(running.pid !== null && isAlive(running.pid), 'the pid is a live process');
  await waitFor(async () => (await readLog(h.home, 'web', 'out')) === 'ready\n', 5000, 'web to print ready');

  const table = await h.tend(['ls']);
  assert.equal(table.code, 0);
  assert.match(table.stdout, new RegExp(`^web\\s+running\\s+${running.pid}\\s`, 'm'));
});

test('show describes command, cwd and environment with values masked unless --show-env', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const cwd = join(h.home, '..');
  const command = fixture('sleeper.sh');

  const started = await h.tend(
    ['start', '--name', 'web', '--start-secs', '100ms', '-e', 'SECRET=hunter2', '--', command, 'extra arg'],
    { cwd },
  );
  assert.equal(started.code, 0, started.stderr);

  const detail = await h.tendJson<Record<string, unknown>>(['show', 'web']);
  assert.deepEqual(detail.command, [command, 'extra arg']);
  assert.equal(detail.cwd, cwd);
  assert.deepEqual(detail.env, { PATH: '********', SECRET: '********' });
  assert.equal(detail.startSecsMs, 100);

  const revealed = await h.tendJson<Record<string, unknown>>(['show', 'web', '--show-env']);
  assert.deepEqual(revealed.env, { PATH: process.env.PATH, SECRET: 'hunter2' });

  const { pid } = await getProgram(h, 'web');
  assert.ok(pid !== null);
  const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  assert.ok(environ.includes('SECRET=hunter2'), 'the program receives its env');
  assert.ok(environ.includes('TEND_PROGRAM=web'), 'the program receives TEND_PROGRAM');

  const text = await h.tend(['show', 'web']);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /SECRET=\*{8}/);
  assert.doesNotMatch(text.stdout, /hunter2/);
});

test('a single command word with spaces runs through /bin/sh -c', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);

  const started = await h.tend(['start', '--name', 'sh1', '--', 'echo hello && sleep 100']);
  assert.equal(started.code, 0, started.stderr);

  await waitFor(async () => (await readLog(h.home, 'sh1', 'out')) === 'hello\n', 5000, 'hello in the log');
  const row = await getProgram(h, 'sh1');
  assert.equal(row.command, 'echo hello && sleep 100');
  assert.ok(row.pid !== null);
  const argv = readFileSync(`/proc/${row.pid}/cmdline`, 'latin1').split('\0');
  assert.deepEqual(argv.slice(0, 3), ['/bin/sh', '-c', 'echo hello && sleep 100']);
});

test('stderr is captured into NAME.err.log apart from stdout', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);

  const started = await h.tend([
    'start',
    '--name',
    'both',
    '--',
    'echo to-out; echo to-err >&2; exec sleep 100',
  ]);
  assert.equal(started.code, 0, started.stderr);

  await waitFor(async () => (await readLog(h.home, 'both', 'err')) === 'to-err\n', 5000, 'stderr log');
  await waitFor(async () => (await readLog(h.home, 'both', 'out')) === 'to-out\n', 5000, 'stdout log');
  const detail = await h.tendJson<{ logs: { out: string; err: string } }>(['show', 'both']);
  assert.equal(detail.logs.out, join(h.home, 'logs', 'both.out.log'));
  assert.equal(detail.logs.err, join(h.home, 'logs', 'both.err.log'));
});

test('stop ends the whole process tree: neither the child nor its grandchild survives', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const pidFile = join(h.home, 'grandchild.pid');

  const { pid } = await startRunning(h, 'tree', [fixture('forks-grandchild.sh'), pidFile]);
  const grandchild = await waitFor(
    async () => Number((await readFile(pidFile, 'utf8').catch(() => '')).trim()),
    5000,
    'the grandchild pid file',
  );
  assert.ok(pid !== null && isAlive(pid) && isAlive(grandchild));
  assert.equal(readProcStat(grandchild)?.get(5), String(pid), 'the grandchild is in the program group');

  const stopped = await h.tend(['stop', 'tree']);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stdout.trim(), 'tree: stopped');
  assert.equal(isAlive(pid), false, 'the child is gone when stop returns');
  // The grandchild was signalled with the group; the kernel finishes it asynchronously.
  await waitFor(() => !isAlive(grandchild), 1000, 'the grandchild to be gone');

  const row = await getProgram(h, 'tree');
  assert.equal(row.state, 'stopped');
  assert.equal(row.pid, null);
});

test('stop kills what is left of the process group once the main process has exited', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const pidFile = join(h.home, 'grandchild.pid');
  // The main shell dies on SIGTERM at once; its grandchild ignores SIGTERM.
  const script = `(trap '' TERM; exec sleep 1000) & echo $! > ${pidFile}; echo ready; wait`;

  const { pid } = await startRunning(h, 'tree', [script], ['--stop-timeout', '60s']);
  await waitFor(async () => (await readLog(h.home, 'tree', 'out')) === 'ready\n', 5000, 'ready');
  const grandchild = Number((await readFile(pidFile, 'utf8')).trim());
  assert.ok(pid !== null && isAlive(grandchild));

  const startedAt = performance.now();
  const stopped = await h.tend(['stop', 'tree']);
  const elapsedMs = performance.now() - startedAt;
  assert.equal(stopped.code, 0, stopped.stderr);
  // Not a timing bound: a stop that waited for the leftover would take the whole minute.
  assert.ok(elapsedMs < 30_000, `stop did not wait for the 60 s stop timeout (took ${elapsedMs} ms)`);
  assert.equal(isAlive(pid), false);
  await waitFor(() => !isAlive(grandchild), 1000, 'the grandchild that ignored SIGTERM to be killed');
});

test('stop sends the stop signal to every process of the group, not only the main one', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const marks = join(h.home, 'marks');
  const command = [fixture('group-pair.sh')];
  await startRunning(h, 'pair', command, ['--env', `MARKS=${marks}`, '--stop-timeout', '3s']);
  await waitFor(() => readMarks(marks).includes('member ready'), 5000, 'the member to start');

  const stopped = await h.tend(['stop', 'pair']);
  assert.equal(stopped.code, 0, stopped.stderr);
  // Had SIGTERM reached the main process only, it would wait for the member until the SIGKILL.
  assert.deepEqual(readMarks(marks), ['member ready', 'member TERM', 'main TERM']);
});

test('restart replaces the process with a new one', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const first = await startRunning(h, 'web');
  await waitFor(async () => (await readLog(h.home, 'web', 'out')) === 'ready\n', 5000, 'ready');

  const restarted = await h.tend(['restart', 'web', '--json']);
  assert.equal(restarted.code, 0, restarted.stderr);
  const [row] = JSON.parse(restarted.stdout) as ProgramRow[];
  assert.ok(row?.pid && row.pid !== first.pid, 'a new pid');
  assert.equal(row.state, 'running', 'restart waits until it runs again');
  assert.equal(row.restarts, 0, 'a restart someone asked for is not counted as automatic');
  assert.equal(isAlive(first.pid ?? -1), false);
  await waitForProgram(h, 'web', (r) => r.state === 'running' && r.pid === row.pid, 5000, 'running again');
});

test('a program that ignores SIGTERM is killed with SIGKILL at its stop timeout', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);

  const { pid } = await startRunning(h, 'stubborn', [fixture('ignore-term.sh')], ['--stop-timeout', '300ms']);
  assert.ok(pid !== null);
  // "ready" comes after the trap is set, so SIGTERM is ignored from here on.
  await waitFor(async () => (await readLog(h.home, 'stubborn', 'out')).includes('ready'), 5000, 'ready');

  const startedAt = performance.now();
  const stopped = await h.tend(['stop', 'stubborn', '--json']);
  const elapsedMs = performance.now() - startedAt;
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.ok(elapsedMs >= 300, `stop waited for the deadline (took ${elapsedMs} ms)`);
  assert.equal(isAlive(pid), false);

  const [row] = JSON.parse(stopped.stdout) as ProgramRow[];
  assert.equal(row?.state, 'stopped');
  assert.equal(row?.signal, 'SIGKILL');
  assert.equal(row?.exitCode, null);

  const events = await getEvents(h, 'stubborn');
  const stopping = events.find((event) => event.to === 'stopping' && event.event === 'stop');
  const done = events.find((event) => event.from === 'stopping' && event.to === 'stopped');
  assert.ok(stopping && done);
  const deadlineMs = done.time - stopping.time;
  assert.ok(deadlineMs >= 295, `SIGKILL came no sooner than the deadline (after ${deadlineMs} ms)`);
  assert.equal(done.message, 'killed by SIGKILL');
});

test('signal sends a signal to the main process only', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);

  const first = await startRunning(h, 'web');
  await waitFor(async () => (await readLog(h.home, 'web', 'out')) === 'ready\n', 5000, 'ready');

  const signalled = await h.tend(['signal', 'TERM', 'web']);
  assert.equal(signalled.code, 0, signalled.stderr);
  assert.equal(signalled.stdout.trim(), `web: sent SIGTERM to pid ${first.pid}`);
  // The sleeper exits 0 on SIGTERM; the default policy (always) starts it again.
  const second = await waitForProgram(
    h,
    'web',
    (r) => r.pid !== null && r.pid !== first.pid,
    5000,
    'restarted after the signal',
  );
  assert.equal(second.exitCode, 0);
  assert.equal(second.signal, null);
  assert.equal(second.restarts, 1);
});

test('signal reaches the main process and leaves the rest of its group alone', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const marks = join(h.home, 'marks');
  await startRunning(h, 'pair', [fixture('group-pair.sh')], ['--env', `MARKS=${marks}`]);
  await waitFor(() => readMarks(marks).includes('member ready'), 5000, 'the member to start');

  const signalled = await h.tend(['signal', 'USR1', 'pair']);
  assert.equal(signalled.code, 0, signalled.stderr);
  await waitFor(() => readMarks(marks).includes('main USR1'), 5000, 'the main process to get SIGUSR1');
  // The member notes a signal within 50 ms of getting it; half a second of silence means it got none.
  await assertStays(() => !readMarks(marks).includes('member USR1'), 500, 'the member to get nothing');
});

test('delete stops a program and forgets it; delete all removes the rest', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);

  const rows: ProgramRow[] = [];
  for (const name of ['alpha', 'beta', 'gamma']) rows.push(await startRunning(h, name));
  const pidOf = (name: string) => rows.find((row) => row.name === name)?.pid ?? -1;

  const deleted = await h.tend(['delete', 'alpha']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout.trim(), 'alpha: deleted');
  assert.equal(isAlive(pidOf('alpha')), false);
  assert.deepEqual(
    (await h.tendJson<ProgramRow[]>(['ls'])).map((row) => row.name),
    ['beta', 'gamma'],
  );
  assert.equal((await h.tend(['show', 'alpha'])).code, 4);
  assert.equal(existsSync(join(h.home, 'fifo', 'alpha.out')), false, 'its FIFOs are removed');
  assert.equal(existsSync(join(h.home, 'logs', 'alpha.out.log')), true, 'its logs are kept');

  const all = await h.tendJson<{ deleted: string[] }>(['delete', 'all']);
  assert.deepEqual(all.deleted.sort(), ['beta', 'gamma']);
  assert.equal(isAlive(pidOf('beta')), false);
  assert.equal(isAlive(pidOf('gamma')), false);
  assert.deepEqual(await h.tendJson<ProgramRow[]>(['ls']), []);
});

function readMarks(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : [];
}
