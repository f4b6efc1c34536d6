import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type TestContext, test } from 'node:test';
import { createNotifier } from '../../src/sdk/notify.js';
import {
  createSandbox,
  NOTIFY_RECEIVER,
  type RunningFixture,
  readTrace,
  type Sandbox,
  startFixture,
  startProcess,
  waitForExit,
  waitForTrace,
} from '../fixtures/sdk/helpers.js';
import { assertStays, ROOT, waitFor } from './helpers.js';

// Readiness from a daemon built with tend/daemon: sd_notify datagrams received by a real receiver
// written in python, and the s6-style fd protocol.

async function startReceiver(sandbox: Sandbox, address: string): Promise<() => string[]> {
  const receiver = startProcess(sandbox, 'python3', [NOTIFY_RECEIVER, address]);
  await waitFor(() => receiver.output().startsWith('bound\n'), 5000, 'the receiver to bind');
  return () => receiver.output().split('\n').slice(1).filter(Boolean);
}

async function stop(daemon: RunningFixture): Promise<void> {
  daemon.child.kill('SIGTERM');
  assert.equal((await waitForExit(daemon, 10_000)).code, 0);
}

async function startWithReceiver(t: TestContext, address?: string, env: Record<string, string> = {}) {
  const sandbox = await createSandbox(t);
  const socket = address ?? join(sandbox.dir, 'notify.sock');
  const received = await startReceiver(sandbox, socket);
  const daemon = startFixture(sandbox, [], { NOTIFY_SOCKET: socket, ...env });
  return { sandbox, received, daemon };
}

test('a python sd_notify receiver gets STATUS= and READY=1 from a daemon with NOTIFY_SOCKET set', async (t) => {
  const { received, daemon } = await startWithReceiver(t);
  await waitFor(() => received().includes('READY=1'), 10_000, 'READY=1');
  assert.deepEqual(
    received(),
    ['STATUS=serving the tests', 'READY=1'],
    'STATUS from the start hook, then READY',
  );
  await stop(daemon);
  assert.equal(received().at(-1), 'STOPPING=1');
});

test('SIGHUP sends RELOADING=1 with MONOTONIC_USEC, then READY=1 again', async (t) => {
  const { sandbox, received, daemon } = await startWithReceiver(t);
  await waitFor(() => received().includes('READY=1'), 10_000, 'READY=1');
  daemon.child.kill('SIGHUP');
  await waitForTrace(sandbox, 'reload 1');
  await waitFor(() => received().length >= 4, 5000, 'the reload messages');
  const [reloading, ready] = received().slice(2);
  assert.match(reloading ?? '', /^RELOADING=1\|MONOTONIC_USEC=\d+$/);
  const monotonicUsec = Number(reloading?.split('MONOTONIC_USEC=')[1]);
  const nowUsec = Number(process.hrtime.bigint() / 1000n);
  assert.ok(Math.abs(nowUsec - monotonicUsec) < 60_000_000, 'CLOCK_MONOTONIC, as systemd reads it');
  assert.equal(ready, 'READY=1');
  await stop(daemon);
});

test('an abstract socket name (@...) works too', async (t) => {
  const name = `@tend-test-sdk-${randomBytes(6).toString('hex')}`;
  const { received, daemon } = await startWithReceiver(t, name);
  await waitFor(() => received().includes('READY=1'), 10_000, 'READY=1 on the abstract socket');
  await stop(daemon);
});

test('with WATCHDOG_USEC set, WATCHDOG=1 arrives about every half interval', async (t) => {
  const { received, daemon } = await startWithReceiver(t, undefined, { WATCHDOG_USEC: '300000' });
  await waitFor(() => received().includes('READY=1'), 10_000, 'READY=1');
  const readyAt = Date.now();
  await waitFor(() => received().filter((line) => line === 'WATCHDOG=1').length >= 4, 5000, 'four pings');
  assert.ok(Date.now() - readyAt >= 400, 'pings are paced (150 ms apart), not a flood');
  await stop(daemon);
});

test('no watchdog pings when WATCHDOG_PID names another process', async (t) => {
  const { received, daemon } = await startWithReceiver(t, undefined, {
    WATCHDOG_USEC: '100000',
    WATCHDOG_PID: '1',
  });
  await waitFor(() => received().includes('READY=1'), 10_000, 'READY=1');
  await assertStays(() => !received().includes('WATCHDOG=1'), 500, 'no WATCHDOG=1');
  await stop(daemon);
});

for (const how of ['NOTIFY_FD from the environment', 'the notifyFd option (s6 style)'] as const) {
  test(`the fd protocol through ${how}: a newline once started, then the fd is closed`, async (t) => {
    const sandbox = await createSandbox(t);
    const env: Record<string, string> = how.startsWith('NOTIFY_FD')
      ? { NOTIFY_FD: '3' }
      : { SDK_NOTIFY_FD: '3' };
    const daemon = startFixture(sandbox, [], env, ['ignore', 'pipe', 'pipe', 'pipe']);
    const channel = daemon.child.stdio[3] as Readable;
    let text = '';
    let closed = false;
    channel.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    channel.on('end', () => {
      closed = true;
    });
    await waitFor(() => closed, 10_000, 'the fd to be written and closed');
    assert.equal(text, '\n');
    assert.ok(readTrace(sandbox).includes(`start ${daemon.pid}`), 'ready only after the start hooks');
    assert.equal(daemon.child.exitCode, null, 'the daemon keeps running');
    await stop(daemon);
  });
}

test('without the native helper, sd_notify falls back to systemd-notify found on PATH', async (t) => {
  const sandbox = await createSandbox(t);
  const socket = join(sandbox.dir, 'notify.sock');
  const received = await startReceiver(sandbox, socket);
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message) };
  // Only the stand-in is on this PATH: the fallback runs here whether or not the host has systemd.
  const env = { NOTIFY_SOCKET: socket, PATH: join(ROOT, 'test/fixtures/notify-bin') };
  const notifier = createNotifier({ logger, env, native: null });
  notifier.status('via systemd-notify');
  notifier.ready();
  await waitFor(() => received().includes('READY=1'), 5000, 'READY=1 from systemd-notify');
  assert.deepEqual(received(), ['STATUS=via systemd-notify', 'READY=1']);
  assert.deepEqual(warnings, []);
});

test('without the native helper or systemd-notify, sd_notify says once that readiness is not reported', () => {
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message) };
  const notifier = createNotifier({
    logger,
    env: { NOTIFY_SOCKET: '/nonexistent.sock', PATH: '' },
    native: null,
  });
  notifier.ready();
  notifier.status('twice');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /neither the native helper nor systemd-notify is available/);
});
