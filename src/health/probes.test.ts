import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { describe, test } from 'node:test';
import { nodeClock } from '../clock.js';
import { type CheckResult, CheckRunner } from './check-runner.js';
import { makeCheck } from './fake-probe.js';
import { createProbe, OUTPUT_KEPT_BYTES } from './probe.js';

// The three probes against real servers and real commands.

const CONTEXT = { cwd: '/', env: { PATH: process.env.PATH } };
const probe = (input: Record<string, unknown>) =>
  createProbe(makeCheck(input), CONTEXT)(new AbortController().signal);

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function isAlive(pid: number): boolean {
  try {
    return !/^\S+ \S+ Z/.test(readFileSync(`/proc/${pid}/stat`, 'latin1').replace(/\(.*\)/, 'x'));
  } catch {
    return false;
  }
}

describe('http probe', () => {
  test('healthy for 2xx and 3xx by default, unhealthy otherwise, with the body as output', async (t) => {
    const server = createServer((request, response) => {
      const status = Number(request.url?.slice(1));
      response.writeHead(status, { location: '/' }).end(`answer ${status} ${request.method}`);
    });
    const port = await listen(server);
    t.after(() => server.close());
    const ok = await probe({ http: `http://127.0.0.1:${port}/204` });
    assert.deepEqual(ok, { ok: true, message: 'HTTP 204', output: '' });
    assert.equal((await probe({ http: `http://127.0.0.1:${port}/302` })).ok, true);
    const bad = await probe({ http: `http://127.0.0.1:${port}/503` });
    assert.deepEqual(bad, { ok: false, message: 'HTTP 503 (expected 200-399)', output: 'answer 503 GET' });
  });

  test('method, headers and expected status are honoured', async (t) => {
    const server = createServer((request, response) => {
      const allowed = request.method === 'HEAD' && request.headers['x-probe'] === 'yes';
      response.writeHead(allowed ? 418 : 200).end();
    });
    const port = await listen(server);
    t.after(() => server.close());
    const url = `http://127.0.0.1:${port}/`;
    const teapot = { url, method: 'head', headers: { 'x-probe': 'yes' }, status: 418 };
    assert.equal((await probe({ http: teapot })).ok, true);
    assert.equal((await probe({ http: { ...teapot, headers: {} } })).message, 'HTTP 200 (expected 418)');
  });

  test('a python3 -m http.server answers the check', async (t) => {
    const server = createTcpServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const python = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], {
      cwd: '/',
      stdio: 'ignore',
    });
    t.after(() => python.kill('SIGKILL'));
    const url = `http://127.0.0.1:${port}/`;
    const deadline = Date.now() + 10_000;
    let outcome = await probe({ http: url });
    while (!outcome.ok && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      outcome = await probe({ http: url });
    }
    assert.equal(outcome.message, 'HTTP 200');
    assert.equal((await probe({ http: `${url}no-such-file` })).message, 'HTTP 404 (expected 200-399)');
  });

  test('a refused connection is a failure that says so', async () => {
    const server = createTcpServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const outcome = await probe({ http: `http://127.0.0.1:${port}/` });
    assert.deepEqual(outcome, { ok: false, message: `ECONNREFUSED 127.0.0.1:${port}`, output: '' });
  });
});

describe('tcp probe', () => {
  test('healthy when the port accepts, unhealthy when it refuses', async () => {
    const server = createTcpServer((socket) => socket.destroy());
    const port = await listen(server);
    assert.equal((await probe({ tcp: `127.0.0.1:${port}` })).ok, true);
    await new Promise((resolve) => server.close(resolve));
    const refused = await probe({ tcp: `127.0.0.1:${port}` });
    assert.deepEqual(refused, { ok: false, message: `ECONNREFUSED 127.0.0.1:${port}`, output: '' });
  });
});

describe('exec probe', () => {
  test('exit 0 is healthy; another status is not; the output is kept', async () => {
    assert.deepEqual(await probe({ exec: 'echo fine' }), { ok: true, message: 'exit 0', output: 'fine\n' });
    const failed = await probe({ exec: ['/bin/sh', '-c', 'echo broken >&2; exit 3'] });
    assert.deepEqual(failed, { ok: false, message: 'exit 3', output: 'broken\n' });
  });

  test('only the last 4 KB of the output are kept', async () => {
    const outcome = await probe({ exec: 'seq 1 5000' });
    assert.equal(Buffer.byteLength(outcome.output), OUTPUT_KEPT_BYTES);
    assert.ok(outcome.output.endsWith('4999\n5000\n'));
  });

  test('a command that cannot run is a failure', async () => {
    const outcome = await probe({ exec: ['/nonexistent/check'] });
    assert.equal(outcome.ok, false);
    assert.match(outcome.message, /ENOENT/);
  });

  test('a hung check is killed at its timeout, with its group, and its output is kept', async () => {
    const check = makeCheck({ exec: 'echo $$ >&2; sleep 60 & echo $!; wait', timeout: '300ms' });
    const results: CheckResult[] = [];
    const runner = new CheckRunner(check, {
      clock: nodeClock,
      probe: createProbe(check, CONTEXT),
      onResult: (_runner, result) => results.push(result),
    });
    runner.start();
    const deadline = Date.now() + 5000;
    while (results.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    runner.stop();
    const result = results[0];
    assert.ok(result, 'the run ended');
    assert.equal(result.ok, false);
    assert.equal(result.message, 'timed out after 300 ms; killed');
    const [shellPid, sleepPid] = result.output.trim().split('\n').map(Number).sort();
    assert.ok(shellPid && sleepPid, `two pids in the output: ${result.output}`);
    while ((isAlive(shellPid) || isAlive(sleepPid)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(isAlive(shellPid), false, 'the check is gone');
    assert.equal(isAlive(sleepPid), false, 'and what it started too');
  });
});
