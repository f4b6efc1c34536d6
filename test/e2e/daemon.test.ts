import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DAEMON_NODE_FLAGS } from '../../src/daemon/node-flags.js';
import {
  assertCountsUp,
  assertStays,
  createTendHome,
  type DaemonStatus,
  findDaemons,
  findProcesses,
  fixture,
  getCompleteLines,
  isAlive,
  type ProgramRow,
  ROOT,
  readLog,
  readProcStat,
  startRunning,
  waitFor,
  waitForProgram,
} from './helpers.js';

// The background daemon: started on demand, detached properly, one per home, replaced or stopped.

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

interface DaemonInfo extends DaemonStatus {
  pid: number;
  apiVersion: string;
  startedAt: string;
  programs: number;
}

test('the CLI starts a daemon on demand that is detached from the terminal and keeps its home private', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  chmodSync(h.home, 0o755);

  const before = await h.tend(['daemon', 'status', '--json']);
  assert.equal(before.code, 3, 'daemon status reports "not running" with status 3');
  assert.equal((JSON.parse(before.stdout) as DaemonStatus).running, false);
  assert.deepEqual(findDaemons(h.home), [], 'daemon status does not start a daemon');

  // The CLI holds an fd without close-on-exec (as a shell or an SSH session may hand one down):
  // the daemon must not keep it, or whoever waits for it to close waits forever.
  const marker = join(h.home, 'inherited-fd');
  const inherited = openSync(marker, 'w');
  // A command that changes something starts one (read-only verbs never do).
  const listed = spawnSync(process.execPath, [join(ROOT, 'bin', 'tend.js'), 'stop', 'all'], {
    env: { ...process.env, TEND_HOME: h.home },
    stdio: ['ignore', 'pipe', 'pipe', 'ignore', 'ignore', inherited],
    encoding: 'utf8',
  });
  closeSync(inherited);
  assert.equal(listed.status, 0, listed.stderr);

  const info = await h.tendJson<DaemonInfo>(['daemon', 'status']);
  assert.equal(info.running, true);
  assert.equal(typeof info.pid, 'number');
  assert.equal(info.version, version);
  assert.equal(info.home, h.home);
  assert.deepEqual(
    findDaemons(h.home).map((daemon) => daemon.pid),
    [info.pid],
  );

  const stat = readProcStat(info.pid);
  assert.ok(stat);
  // tend/daemon's detach: a new session (setsid) whose leader has exited, so the daemon, which does
  // not lead it, can never acquire a controlling terminal again.
  const session = Number(stat.get(6));
  assert.notEqual(session, info.pid, 'it does not lead its session');
  assert.equal(isAlive(session), false, 'the session leader (stage 1) has exited');
  assert.equal(stat.get(7), '0', 'it has no controlling terminal');
  const fds = readdirSync(`/proc/${info.pid}/fd`).map((fd) => readlinkSync(`/proc/${info.pid}/fd/${fd}`));
  assert.ok(!fds.includes(marker), 'it did not keep the fd its starter inherited');
  assert.equal(readlinkSync(`/proc/${info.pid}/cwd`), '/');
  assert.equal(readlinkSync(`/proc/${info.pid}/fd/0`), '/dev/null');
  assert.equal(readlinkSync(`/proc/${info.pid}/fd/1`), join(h.home, 'daemon.log'));
  assert.equal(readlinkSync(`/proc/${info.pid}/fd/2`), join(h.home, 'daemon.log'));
  assert.match(readFileSync(join(h.home, 'daemon.log'), 'utf8'), /listening on /);

  assert.equal(statSync(h.home).mode & 0o777, 0o700, 'TEND_HOME is tightened to 0700');
  assert.equal(statSync(join(h.home, 'tend.sock')).mode & 0o777, 0o600, 'the socket is 0600');
  assert.equal(readFileSync(join(h.home, 'daemon.pid'), 'utf8').trim(), String(info.pid));
  // Its node runs with the daemon's V8 settings (src/daemon/node-flags.ts: a small young generation).
  const argv = readFileSync(`/proc/${info.pid}/cmdline`, 'utf8').split('\0');
  for (const flag of DAEMON_NODE_FLAGS) assert.ok(argv.includes(flag), argv.join(' '));
});

test('concurrent commands on a fresh home start exactly one daemon', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);

  const results = await Promise.all([1, 2, 3, 4].map(() => h.tend(['stop', 'all', '--json'])));
  for (const result of results) {
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), []);
  }

  // A daemon that lost the race exits by itself; wait for that, then make sure one is left.
  const [daemon] = await waitFor(
    () => {
      const daemons = findDaemons(h.home);
      return daemons.length === 1 ? daemons : false;
    },
    5000,
    'exactly one daemon',
  );
  assert.ok(daemon);
  assert.equal(readFileSync(join(h.home, 'daemon.pid'), 'utf8').trim(), String(daemon.pid));
  const info = await h.tendJson<DaemonInfo>(['daemon', 'status']);
  assert.equal(info.pid, daemon.pid);
});

test('daemon restart replaces the daemon while programs keep running with the same pids', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const before = [await startRunning(h, 'counter', [fixture('counter.sh')]), await startRunning(h, 'web')];
  const oldDaemon = await h.tendJson<DaemonInfo>(['daemon', 'status']);

  const restarted = await h.tend(['daemon', 'restart', '--json']);
  assert.equal(restarted.code, 0, restarted.stderr);
  const newDaemon = JSON.parse(restarted.stdout) as DaemonInfo & { previousPid: number };
  assert.equal(newDaemon.previousPid, oldDaemon.pid);
  assert.notEqual(newDaemon.pid, oldDaemon.pid);
  assert.equal(isAlive(oldDaemon.pid), false, 'the old daemon has exited');

  const after = await h.tendJson<ProgramRow[]>(['ls']);
  assert.deepEqual(after.map((row) => row.name).sort(), ['counter', 'web'], 'both programs are still there');
  for (const row of after) {
    const previous = before.find((candidate) => candidate.name === row.name);
    assert.equal(row.pid, previous?.pid, `${row.name} keeps its pid`);
    assert.equal(row.state, 'running');
    assert.equal(row.adopted, true);
    assert.equal(row.restarts, 0);
  }

  const countAtRestart = getCompleteLines(await readLog(h.home, 'counter', 'out')).length;
  const lines = await waitFor(
    async () => {
      const complete = getCompleteLines(await readLog(h.home, 'counter', 'out'));
      return complete.length >= countAtRestart + 30 ? complete : false;
    },
    5000,
    'the counter log to keep growing',
  );
  assertCountsUp(lines);
});

test('SIGHUP leaves the daemon and its programs as they are; SIGINT stops them like SIGTERM', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const web = await startRunning(h, 'web');
  const daemon = await h.tendJson<DaemonInfo>(['daemon', 'status']);
  const daemonLog = join(h.home, 'daemon.log');

  process.kill(daemon.pid, 'SIGHUP');
  await waitFor(() => readFileSync(daemonLog, 'utf8').includes('SIGHUP ignored'), 5000, 'SIGHUP noted');
  assert.ok(isAlive(daemon.pid), 'the daemon survives SIGHUP');
  const [row] = await h.tendJson<ProgramRow[]>(['ls']);
  assert.equal(row?.pid, web.pid, 'the program was not touched');
  assert.equal(row?.state, 'running');

  process.kill(daemon.pid, 'SIGINT');
  await waitFor(() => !isAlive(daemon.pid), 5000, 'the daemon to exit on SIGINT');
  assert.match(readFileSync(daemonLog, 'utf8'), /shutting down \(SIGINT\); programs will be stopped/);
  assert.equal(isAlive(web.pid ?? -1), false, 'the program was stopped with it');
  assert.equal(existsSync(join(h.home, 'daemon.pid')), false, 'a graceful exit removes the pid file');
});

test('daemon stop stops every program and exits; the next daemon brings back what should run', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const before: ProgramRow[] = [];
  for (const name of ['keep', 'rest']) before.push(await startRunning(h, name));
  const stoppedRest = await h.tend(['stop', 'rest']);
  assert.equal(stoppedRest.code, 0, stoppedRest.stderr);
  const daemon = await h.tendJson<DaemonInfo>(['daemon', 'status']);

  const stopped = await h.tend(['daemon', 'stop']);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(
    stopped.stdout.trim(),
    `tend daemon stopped (pid ${daemon.pid})\n1 program will start again with the next daemon; \`tend stop all\` first keeps them stopped`,
  );
  assert.equal(isAlive(daemon.pid), false, 'the daemon has exited');
  for (const row of before) assert.equal(isAlive(row.pid ?? -1), false, `${row.name} is gone`);
  await waitFor(() => findProcesses(h.home).length === 0, 2000, 'no process of this home left');
  assert.equal(existsSync(join(h.home, 'tend.sock')), false, 'the socket is removed');
  assert.equal(existsSync(join(h.home, 'daemon.pid')), false, 'the pid file is removed');
  assert.equal((await h.tend(['daemon', 'status'])).code, 3);

  // The next daemon remembers what users asked for: "keep" should run (it was stopped only with
  // the daemon), "rest" was stopped by hand and stays stopped.
  assert.equal((await h.tend(['ls'])).code, 3, 'a read-only verb does not start a daemon');
  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const rows = await h.tendJson<ProgramRow[]>(['ls']);
  const rest = rows.find((row) => row.name === 'rest');
  assert.equal(rest?.state, 'stopped');
  assert.equal(rest?.pid, null);
  const keep = await waitForProgram(h, 'keep', (row) => row.state === 'running', 5000, 'running again');
  assert.notEqual(keep.pid, before.find((row) => row.name === 'keep')?.pid);

  const startedAll = await h.tend(['start', 'all']);
  assert.equal(startedAll.code, 0, startedAll.stderr);
  const back = await waitForProgram(h, 'rest', (row) => row.state === 'running', 5000, 'running again');
  assert.ok(back.pid !== null && isAlive(back.pid));
  assert.equal((await waitForProgram(h, 'keep', () => true, 1000, 'listed')).pid, keep.pid);
});

test('daemon stop leaves exited and fatal programs as they were: the next daemon does not run them again', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const once = await h.tend([
    'start',
    '--name',
    'once',
    '--no-wait',
    '--restart',
    'never',
    '--',
    fixture('crash.sh'),
    '3',
  ]);
  assert.equal(once.code, 0, once.stderr);
  const doomed = await h.tend([
    'start',
    '--name',
    'doomed',
    '--no-wait',
    '--give-up',
    '1/1m',
    '--',
    fixture('crash.sh'),
    '1',
  ]);
  assert.equal(doomed.code, 0, doomed.stderr);
  await waitForProgram(h, 'once', (row) => row.state === 'exited', 5000, 'exited');
  await waitForProgram(h, 'doomed', (row) => row.state === 'fatal', 5000, 'fatal');

  const stopped = await h.tend(['daemon', 'stop']);
  assert.equal(stopped.code, 0, stopped.stderr);

  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const rows = await h.tendJson<ProgramRow[]>(['ls']);
  assert.deepEqual(
    rows.map((row) => [row.name, row.state, row.exitCode]),
    [
      ['once', 'exited', 3],
      ['doomed', 'fatal', 1],
    ],
  );
  await assertStays(
    async () =>
      (await readLog(h.home, 'once', 'out')) === 'exiting with 3\n' &&
      (await readLog(h.home, 'doomed', 'out')) === 'exiting with 1\n',
    500,
    'each program to have run exactly once',
  );
});
