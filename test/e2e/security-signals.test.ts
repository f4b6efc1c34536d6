import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSandbox, startFixture, waitForTrace } from '../fixtures/sdk/helpers.js';
import { createTendHome, type DaemonStatus, isAlive, waitFor } from './helpers.js';

// Issue 9, items 1 and 14: SIGUSR1 must not open Node's inspector (127.0.0.1:9229, no
// authentication: any local user would run code as the daemon's user), and no signal a daemon may
// be sent ends it without a line saying why.

/** The TCP ports `pid` listens on (from /proc/net/tcp{,6} and the process's socket fds). */
function getListeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = row.trim().split(/\s+/);
      const [local, state, inode] = [fields[1] ?? '', fields[3], fields[9] ?? ''];
      if (state === '0A' && inodes.has(inode)) ports.push(Number.parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}

test('SIGUSR1 to the daemon opens no inspector: it is logged, the daemon keeps running', async (t) => {
  const tendHome = await createTendHome();
  t.after(() => tendHome.cleanup());
  assert.equal((await tendHome.tend(['daemon', 'start'])).code, 0);
  const { pid } = await tendHome.tendJson<DaemonStatus & { pid: number }>(['daemon', 'status']);
  const daemonLog = join(tendHome.home, 'daemon.log');
  process.kill(pid, 'SIGUSR1');
  const log = await waitFor(
    () => {
      const text = readFileSync(daemonLog, 'utf8');
      return /SIGUSR1 ignored|Debugger listening/.test(text) && text;
    },
    5000,
    'the daemon to answer SIGUSR1',
  );
  assert.doesNotMatch(log, /Debugger listening/);
  assert.deepEqual(getListeningPorts(pid), [], 'the daemon listens on no TCP port');
  for (const signal of ['SIGUSR2', 'SIGALRM', 'SIGTSTP', 'SIGXFSZ'] as const) {
    process.kill(pid, signal);
    await waitFor(() => readFileSync(daemonLog, 'utf8').includes(`${signal} ignored`), 5000, signal);
  }
  assert.ok(isAlive(pid), 'the daemon is alive');
  assert.equal((await tendHome.tend(['ls'])).code, 0, 'and answers');
});

test('SIGQUIT ends the daemon with a line saying so, leaving its programs running', async (t) => {
  const tendHome = await createTendHome();
  t.after(() => tendHome.cleanup());
  const started = await tendHome.tend([
    'start',
    '--name',
    'q',
    '--start-secs',
    '100ms',
    '--',
    'sleep',
    '600',
  ]);
  assert.equal(started.code, 0, started.stderr);
  const { pid } = await tendHome.tendJson<DaemonStatus & { pid: number }>(['daemon', 'status']);
  const [row] = await tendHome.tendJson<{ pid: number }[]>(['ls']);
  process.kill(pid, 'SIGQUIT');
  await waitFor(() => !isAlive(pid), 5000, 'the daemon to exit');
  const log = readFileSync(join(tendHome.home, 'daemon.log'), 'utf8');
  assert.match(log, /shutting down \(SIGQUIT\); programs will be left running/);
  assert.ok(row && isAlive(row.pid), 'the program still runs');
  assert.equal(
    (await tendHome.tend(['daemon', 'start'])).code,
    0,
    'a new daemon adopts it (cleanup stops it)',
  );
});

test('SIGUSR1 to a tend/daemon program that has not called run() yet opens no inspector', async (t) => {
  const sandbox = await createSandbox(t);
  const daemon = startFixture(sandbox, [], { SDK_HOLD_BEFORE_RUN: '1' });
  await waitForTrace(sandbox, `created ${daemon.pid}`);
  daemon.child.kill('SIGUSR1');
  await waitFor(
    () => /SIGUSR1 before run\(\): ignored|Debugger listening/.test(daemon.output()),
    5000,
    'the fixture to answer SIGUSR1',
  );
  assert.doesNotMatch(daemon.output(), /Debugger listening/);
  assert.deepEqual(getListeningPorts(daemon.pid), []);
  assert.ok(isAlive(daemon.pid));
});
