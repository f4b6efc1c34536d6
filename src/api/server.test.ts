import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { waitFor } from '../../test/e2e/helpers.js';
import { listenOnSocket } from './server.js';

let dir: string;
let socketPath: string;
let server: Server | undefined;
const sockets: Socket[] = [];

const app = { handle: async () => ({ status: 200, body: { ok: true } }) };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tend-server-'));
  socketPath = join(dir, 'tend.sock');
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A raw connection that records whether the server closed it and what it answered. */
function open(): Promise<{ socket: Socket; closed: () => boolean; received: () => string }> {
  return new Promise((resolve, reject) => {
    let closed = false;
    let received = '';
    const socket = connect(socketPath, () =>
      resolve({ socket, closed: () => closed, received: () => received }),
    );
    sockets.push(socket);
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', reject);
  });
}

test('a request whose body never finishes is answered 408 and its connection closed', async () => {
  server = await listenOnSocket(socketPath, app, {
    requestTimeoutMs: 300,
    headersTimeoutMs: 300,
    maxConnections: 10,
  });
  const slow = await open();
  slow.socket.write('POST /v1/programs HTTP/1.1\r\nhost: tend\r\ncontent-length: 100\r\n\r\n{');
  await waitFor(slow.closed, 10_000, 'the server to close the slow connection');
  assert.match(slow.received(), /^HTTP\/1\.1 408/);
  assert.match(slow.received(), /"code":"TIMEOUT"/);
});

test('a connection whose request headers never end is closed', async () => {
  server = await listenOnSocket(socketPath, app, {
    requestTimeoutMs: 60_000,
    headersTimeoutMs: 300,
    maxConnections: 10,
  });
  const slow = await open();
  slow.socket.write('GET /v1/daemon HTTP/1.1\r\nhost: te');
  await waitFor(slow.closed, 10_000, 'the server to close the connection');
  assert.equal(slow.received(), '');
});

test('many requests on one kept-alive connection leave no listener behind on it', async () => {
  server = await listenOnSocket(socketPath, app, {
    requestTimeoutMs: 60_000,
    headersTimeoutMs: 60_000,
    maxConnections: 10,
  });
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  const client = await open();
  for (let i = 1; i <= 15; i++) {
    client.socket.write('GET /v1/daemon HTTP/1.1\r\nhost: tend\r\n\r\n');
    await waitFor(() => client.received().split('"ok":true').length > i, 10_000, `answer ${i}`);
  }
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  assert.deepEqual(warnings, []);
});

test('a kept-alive connection gets a new headers deadline after each answer', async () => {
  server = await listenOnSocket(socketPath, app, {
    requestTimeoutMs: 60_000,
    headersTimeoutMs: 300,
    maxConnections: 10,
  });
  const client = await open();
  client.socket.write('GET /v1/daemon HTTP/1.1\r\nhost: tend\r\n\r\n');
  await waitFor(() => client.received().includes('"ok":true'), 10_000, 'the first answer');
  client.socket.write('GET /v1/daemon HTTP/1.1\r\nho');
  // Well before the 5 s keep-alive timeout, which would close it too.
  await waitFor(client.closed, 2500, 'the server to close the connection that stalled');
});

test('connections past the cap are refused while the others are still served', async () => {
  server = await listenOnSocket(socketPath, app, {
    requestTimeoutMs: 60_000,
    headersTimeoutMs: 60_000,
    maxConnections: 2,
  });
  const first = await open();
  const second = await open();
  const third = await open().catch(() => null);
  if (third) await waitFor(third.closed, 10_000, 'the server to close the connection past the cap');
  assert.equal(first.closed(), false);
  first.socket.write('GET /v1/daemon HTTP/1.1\r\nhost: tend\r\n\r\n');
  await waitFor(
    () => first.received().includes('"ok":true'),
    10_000,
    'an answer on a connection within the cap',
  );
  assert.equal(second.closed(), false);
});

/**
 * Runs test/fixtures/out-of-fds.mts with 64 fds at most; returns what it printed. Bundled first, so
 * no module loader opens files once the fixture has taken every fd.
 */
function runOutOfFds(args: string[]): string {
  const script = join(dir, 'out-of-fds.mjs');
  buildSync({
    entryPoints: [fileURLToPath(new URL('../../test/fixtures/out-of-fds.mts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: script,
    logLevel: 'silent',
  });
  const result = spawnSync(
    '/bin/sh',
    ['-c', 'ulimit -n 64 && exec "$0" "$@"', process.execPath, script, ...args],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

test('listening while out of fds waits and tries again instead of failing', () => {
  const output = runOutOfFds(['listen', socketPath]);
  assert.match(output, /^fault EMFILE 100\n/);
  assert.match(output, /\nlistening\n$/);
});

test('a /proc read that fails for want of fds does not make a live process look gone', () => {
  assert.equal(runOutOfFds(['same-process']), 'same true\n');
});
