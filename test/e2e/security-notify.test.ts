import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { assertStays, createProgram, createTendHome, fixture, waitForProgram } from './helpers.js';
import { createSecondUser, IS_ROOT, NOT_ROOT_REASON } from './second-user.js';

// Issue 9, item 15: a program with `user:` and `ready: notify` under a root daemon cannot enter the
// 0700 home, so it gets an abstract notify socket; another user can send to that socket, but the
// daemon hears only the program's own process group.

function readNotifySocket(pid: number): string {
  const variable = readFileSync(`/proc/${pid}/environ`, 'latin1')
    .split('\0')
    .find((entry) => entry.startsWith('NOTIFY_SOCKET='));
  return variable?.slice('NOTIFY_SOCKET='.length) ?? '';
}

test('a program running as another user becomes ready through sd_notify', {
  skip: !IS_ROOT && NOT_ROOT_REASON,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const user = createSecondUser(t);
  await createProgram(h, {
    name: 'py',
    command: ['python3', fixture('notify-client.py')],
    user: user.name,
    cwd: user.dir,
    ready: 'notify',
    startTimeout: 10_000,
  });
  const row = await waitForProgram(h, 'py', (program) => program.state === 'running', 10_000, 'ready');
  assert.match(readNotifySocket(row.pid ?? 0), /^@tend-notify-[0-9a-f]{32}$/);
  assert.equal(row.restarts, 0, 'no crash loop');
});

test('another user sending READY=1 to that socket is not heard', {
  skip: !IS_ROOT && NOT_ROOT_REASON,
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const user = createSecondUser(t);
  const created = await createProgram(h, {
    name: 'quiet',
    command: ['sleep', '600'],
    user: user.name,
    cwd: user.dir,
    ready: 'notify',
    startTimeout: 60_000,
  });
  const starting = await waitForProgram(h, 'quiet', (row) => row.pid !== null, 5000, 'spawned');
  const address = readNotifySocket(starting.pid ?? 0);
  assert.match(address, /^@/);
  // His own process, outside the program's process group (the same uid as the program, even).
  const send = `import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"READY=1", "\\0${address.slice(1)}")`;
  execFileSync('python3', ['-c', send], { uid: user.uid, gid: user.gid, cwd: user.dir });
  assert.equal(created.name, 'quiet');
  await assertStays(
    async () => (await waitForProgram(h, 'quiet', () => true, 1000, 'row')).state === 'starting',
    1000,
    'the program to stay starting',
  );
});
