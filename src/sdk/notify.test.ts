import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { NativeHelper } from '../native.js';
import type { DaemonLogger } from './logger.js';
import { createNotifier, formatNotifyMessage, getWatchdogPingMs } from './notify.js';

function createRecordingLogger(): DaemonLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} };
}

function createFakeNative(sent: { path: string; message: string }[]): NativeHelper {
  return {
    mkfifo() {},
    setPipeSize: () => -1,
    sendDatagram: (path, message) => {
      sent.push({ path, message });
    },
  };
}

describe('sd_notify messages', () => {
  test('assignments become KEY=VALUE lines; a newline in a value cannot start another', () => {
    assert.equal(formatNotifyMessage({ READY: 1, STATUS: 'up\nREADY=0' }), 'READY=1\nSTATUS=up READY=0');
  });

  test('ready, status, reloading, stopping and watchdog send what systemd expects', () => {
    const sent: { path: string; message: string }[] = [];
    const env = { NOTIFY_SOCKET: '/run/notify.sock', WATCHDOG_USEC: '4000000' };
    const notifier = createNotifier({ logger: createRecordingLogger(), env, native: createFakeNative(sent) });
    assert.deepEqual(notifier.protocols, ['sd_notify']);
    assert.equal(notifier.watchdogPingMs, 2000);
    notifier.status('warming up');
    notifier.ready();
    notifier.reloading();
    notifier.stopping();
    notifier.watchdog();
    notifier.send({ MAINPID: 42 });
    assert.ok(sent.every((entry) => entry.path === '/run/notify.sock'));
    const messages = sent.map((entry) => entry.message);
    assert.equal(messages[0], 'STATUS=warming up');
    assert.equal(messages[1], 'READY=1');
    assert.match(messages[2] ?? '', /^RELOADING=1\nMONOTONIC_USEC=\d+$/);
    assert.deepEqual(messages.slice(3), ['STOPPING=1', 'WATCHDOG=1', 'MAINPID=42']);
  });

  test('the variables are taken out of the environment so child processes cannot speak for the daemon', () => {
    const env: NodeJS.ProcessEnv = {
      NOTIFY_SOCKET: '/x',
      NOTIFY_FD: '9',
      WATCHDOG_USEC: '1',
      WATCHDOG_PID: '1',
      PATH: '/bin',
    };
    createNotifier({ logger: createRecordingLogger(), env, native: createFakeNative([]), notifyFd: 999_999 });
    assert.deepEqual(env, { PATH: '/bin' });
  });

  test('without the native helper or systemd-notify it warns once and sends nothing', () => {
    const logger = createRecordingLogger();
    const notifier = createNotifier({ logger, env: { NOTIFY_SOCKET: '/x', PATH: '' }, native: null });
    notifier.ready();
    notifier.status('a');
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0] ?? '', /neither the native helper nor systemd-notify/);
  });

  test('with no supervisor every call does nothing', () => {
    const notifier = createNotifier({ logger: createRecordingLogger(), env: {} });
    assert.deepEqual(notifier.protocols, []);
    assert.equal(notifier.watchdogPingMs, null);
    notifier.ready();
  });
});

describe('the watchdog interval', () => {
  test('is half of WATCHDOG_USEC, for us only when WATCHDOG_PID is unset or ours', () => {
    assert.equal(getWatchdogPingMs({ WATCHDOG_USEC: '10000000' }, 7), 5000);
    assert.equal(getWatchdogPingMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '7' }, 7), 5000);
    assert.equal(getWatchdogPingMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '8' }, 7), null);
    assert.equal(getWatchdogPingMs({ WATCHDOG_USEC: 'x' }, 7), null);
    assert.equal(getWatchdogPingMs({}, 7), null);
  });
});

describe('the fd protocol', () => {
  test('ready() writes one newline to the fd and closes it; a second ready() writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tend-sdk-fd-'));
    try {
      const file = join(dir, 'ready');
      const fd = openSync(file, 'w');
      const notifier = createNotifier({ logger: createRecordingLogger(), env: { NOTIFY_FD: String(fd) } });
      assert.deepEqual(notifier.protocols, ['fd']);
      notifier.ready();
      notifier.ready();
      assert.equal(readFileSync(file, 'utf8'), '\n');
      assert.throws(() => closeSync(fd), /EBADF/, 'the fd was closed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
