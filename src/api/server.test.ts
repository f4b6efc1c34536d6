import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
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
