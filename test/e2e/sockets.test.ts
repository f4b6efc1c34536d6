import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ProgramDetailView } from '../../src/api/views.js';
import {
  createProgram,
  createTendHome,
  fixture,
  getFreePort,
  getProgram,
  killDaemon,
  ROOT,
  readLog,
  waitFor,
  waitForProgram,
} from './helpers.js';

// Held sockets: bound by the daemon, passed with LISTEN_FDS/LISTEN_FDNAMES/LISTEN_PID from fd 3,
// shared by instances, outliving restarts of the program and of the daemon.

const NODE_SERVER = `${ROOT}/examples/held-socket/server.mjs`;

/** Opens a connection and sends a GET at once; resolves with the body whenever the answer comes. */
function request(port: number): { connected: Promise<void>; body: Promise<string> } {
  let onConnect: () => void = () => {};
  const connected = new Promise<void>((resolve) => {
    onConnect = resolve;
  });
  const body = new Promise<string>((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', agent: false }, (response) => {
      let data = '';
      response.setEncoding('utf8').on('data', (chunk) => {
        data += chunk;
      });
      response.on('end', () => resolve(data));
    });
    req.on('socket', (socket) => socket.once('connect', onConnect));
    req.on('error', reject);
  });
  return { connected, body };
}

test('a python child gets its socket at fd 3 with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID = its own pid', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const port = await getFreePort();
  const started = await h.tend([
    'start',
    '--name',
    'py',
    '--start-secs',
    '100ms',
    '--socket',
    `tcp://127.0.0.1:${port}`,
    '--',
    'python3',
    fixture('listen-fds-check.py'),
  ]);
  assert.equal(started.code, 0, started.stderr);
  const row = await waitForProgram(h, 'py', (r) => r.state === 'running', 10_000, 'running');
  const { body } = request(port);
  assert.equal(await body, String(row.pid), 'served by the child on the held socket');
  const out = await waitFor(
    async () => {
      const text = await readLog(h.home, 'py', 'out');
      return text.includes('fd 3:') && text;
    },
    5000,
    'what the child printed',
  );
  assert.match(out, new RegExp(`^LISTEN_PID=${row.pid} pid=${row.pid} match=True$`, 'm'));
  assert.match(out, /^LISTEN_FDS=1 LISTEN_FDNAMES=py$/m);
  assert.match(out, new RegExp(`^fd 3: family=AF_INET listening=1 address=\\('127.0.0.1', ${port}\\)$`, 'm'));
  const detail = await h.tendJson<ProgramDetailView>(['show', 'py']);
  assert.deepEqual(detail.sockets, [{ name: 'py', address: `tcp://127.0.0.1:${port}` }]);
});

test('a connection made while the program is stopped is served once it starts again', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const port = await getFreePort();
  await createProgram(h, {
    name: 'web',
    command: ['node', NODE_SERVER],
    startSecs: '100ms',
    sockets: [`tcp://127.0.0.1:${port}`],
  });
  await waitForProgram(h, 'web', (row) => row.state === 'running', 10_000, 'running');
  assert.equal((await h.tend(['stop', 'web'])).code, 0);
  // Nothing runs; the daemon holds the socket and never accepts: the kernel queues the connection.
  const { connected, body } = request(port);
  await connected;
  const started = await h.tend(['start', 'web']);
  assert.equal(started.code, 0, started.stderr);
  const served = JSON.parse(await body) as { pid: number };
  assert.equal(served.pid, (await getProgram(h, 'web')).pid);
});

test('instances share one socket, and a new daemon takes it back from them after a SIGKILL', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const port = await getFreePort();
  for (const instance of [0, 1]) {
    await createProgram(h, {
      name: `web-${instance}`,
      instanceOf: 'web',
      instance,
      command: ['node', NODE_SERVER],
      startSecs: '100ms',
      sockets: [`tcp://127.0.0.1:${port}`],
    });
  }
  const rows = await Promise.all(
    [0, 1].map((i) => waitForProgram(h, `web-${i}`, (row) => row.state === 'running', 10_000, 'running')),
  );
  const inodes = rows.map((row) => readlinkSync(`/proc/${row.pid}/fd/3`));
  assert.match(inodes[0] ?? '', /^socket:\[\d+\]$/);
  assert.equal(inodes[0], inodes[1], 'the very same socket in both');
  await killDaemon(h);
  assert.equal((await h.tend(['daemon', 'start'])).code, 0);
  const daemonLog = await waitFor(
    async () => {
      const text = await readFile(join(h.home, 'daemon.log'), 'utf8');
      return /web: took back 1 held socket/.test(text) && text;
    },
    5000,
    'the new daemon to take the socket back',
  );
  assert.doesNotMatch(daemonLog, /to bind again/);
  // Both stopped: only the daemon holds the socket now, so the connection must wait in its backlog.
  assert.equal((await h.tend(['stop', 'all'])).code, 0);
  const { connected, body } = request(port);
  await connected;
  assert.equal((await h.tend(['start', 'web-1'])).code, 0);
  const served = JSON.parse(await body) as { pid: number };
  assert.equal(served.pid, (await getProgram(h, 'web-1')).pid);
});

test('activation: socket starts the program at its first connection, and idleStop stops it when quiet', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const port = await getFreePort();
  await createProgram(h, {
    name: 'lazy',
    command: ['node', NODE_SERVER],
    startSecs: '100ms',
    sockets: [`tcp://127.0.0.1:${port}`],
    activation: 'socket',
    idleStop: '1s',
  });
  const waiting = await getProgram(h, 'lazy');
  assert.deepEqual([waiting.state, waiting.pid], ['listening', null], 'not started by create');
  const table = await h.tend(['ls']);
  assert.match(table.stdout, /^lazy\s+listening\s/m);
  const { body } = request(port);
  const served = JSON.parse(await body) as { pid: number };
  const running = await waitForProgram(h, 'lazy', (row) => row.state === 'running', 10_000, 'running');
  assert.equal(served.pid, running.pid, 'the first connection was served by the program it started');
  const idle = await waitForProgram(
    h,
    'lazy',
    (row) => row.state === 'listening',
    10_000,
    'stopped when idle',
  );
  assert.equal(idle.pid, null);
  const again = request(port);
  assert.ok((JSON.parse(await again.body) as { pid: number }).pid > 0, 'and started again by the next one');
});
