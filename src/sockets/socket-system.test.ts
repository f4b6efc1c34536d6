import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { getNativeHelper } from '../native.js';
import { nodeSocketSystem as system } from './socket-system.js';

// The kernel side of held sockets, for real: a socket that listens but is never accepted on, passed
// to a child at fd 3, and taken back from that child.

const skip = getNativeHelper()?.listenTcp ? false : 'the native helper is not built';

async function getFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('socket system', { skip }, () => {
  test('a held socket queues connections without accepting them; a child at fd 3 serves them', async (t) => {
    const port = await getFreePort();
    const fd = system.listenTcp('127.0.0.1', port, 16);
    t.after(() => system.close(fd));
    assert.equal(system.describe(fd), `tcp://127.0.0.1:${port}`);
    // Connected while nothing accepts: the kernel completes the handshake and queues it.
    const client = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    const reply = new Promise<string>((resolve) => client.once('data', (data) => resolve(String(data))));
    const serve =
      'import socket; s = socket.socket(fileno=3); c, _ = s.accept(); c.sendall(b"served"); c.close()';
    const child = spawn('python3', ['-c', serve], { stdio: ['ignore', 'inherit', 'inherit', fd] });
    assert.equal(await reply, 'served');
    await new Promise((resolve) => child.once('exit', resolve));
    client.destroy();
  });

  test('takes a socket back from another process by pidfd_getfd', async (t) => {
    const port = await getFreePort();
    const fd = system.listenTcp('127.0.0.1', port, 16);
    const child = spawn('sleep', ['30'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
    t.after(() => child.kill('SIGKILL'));
    system.close(fd);
    const pid = child.pid as number;
    assert.ok(system.listSocketFds(pid).includes(3));
    const taken = system.takeFd(pid, 3);
    assert.equal(system.describe(taken), `tcp://127.0.0.1:${port}`, 'the same listening socket');
    system.close(taken);
  });

  test('a unix socket gets its mode, replaces a stale socket file and refuses another file', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'held-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'app.sock');
    const first = system.listenUnix(path, 16, 0o600);
    assert.equal(system.describe(first), `unix:${path}`);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    system.close(first);
    const second = system.listenUnix(path, 16, 0o660);
    assert.equal(statSync(path).mode & 0o777, 0o660);
    system.close(second);
    system.unlink(path);
    assert.equal(existsSync(path), false);
    assert.throws(() => system.listenUnix(dir, 16, 0o600), { code: 'EEXIST' });
  });

  test('refuses a unix socket in a directory another user could swap, or through a symlink', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'held-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    assert.throws(() => system.listenUnix(join(open, 'a.sock'), 16, 0o600), /can be changed by another user/);
    const sticky = join(dir, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    system.close(system.listenUnix(join(sticky, 'a.sock'), 16, 0o600));
    symlinkSync(dir, join(dir, 'link'));
    assert.throws(() => system.listenUnix(join(dir, 'link', 'b.sock'), 16, 0o600), /not a directory/);
    assert.throws(() => system.listenUnix(join(dir, 'none', 'c.sock'), 16, 0o600), /does not exist/);
  });

  test('removes only a socket file', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'held-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'not-a-socket');
    writeFileSync(path, 'keep me');
    system.unlink(path);
    assert.equal(existsSync(path), true);
  });

  test('describes only listening stream sockets', () => {
    assert.equal(system.describe(1), null);
  });
});
