import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTendHome, fixture, type TendHome } from './helpers.js';

// The control API straight over the unix socket: malformed requests get a precise 4xx, change
// nothing, and leave the daemon answering.

interface ErrorBody {
  error: { code: string; message: string };
}

describe('the control API', () => {
  let h: TendHome;

  before(async () => {
    h = await createTendHome();
    const started = await h.tend(['daemon', 'start']);
    assert.equal(started.code, 0, started.stderr);
  });

  after(async () => {
    await h.cleanup();
  });

  /** After every rejected request: the daemon still answers and nothing was created. */
  async function assertNothingChanged(): Promise<void> {
    const daemon = await h.api<{ pid: number }>({ method: 'GET', path: '/v1/daemon' });
    assert.equal(daemon.status, 200);
    const programs = await h.api({ method: 'GET', path: '/v1/programs' });
    assert.deepEqual(programs, { status: 200, body: [] });
    assert.deepEqual(readdirSync(join(h.home, 'logs')), []);
    assert.deepEqual(readdirSync(join(h.home, 'fifo')), []);
  }

  function validProgram(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { name: 'web', command: [fixture('sleeper.sh')], cwd: h.home, ...overrides };
  }

  test('broken JSON is a 400', async () => {
    const response = await h.api<ErrorBody>({
      method: 'POST',
      path: '/v1/programs',
      raw: '{"name": "web", ',
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'BAD_REQUEST');
    assert.match(response.body.error.message, /not valid JSON/);
    await assertNothingChanged();
  });

  test('an unknown field is a 400 that names the field', async () => {
    const response = await h.api<ErrorBody>({
      method: 'POST',
      path: '/v1/programs',
      body: validProgram({ frobnicate: true }),
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'BAD_REQUEST');
    assert.match(response.body.error.message, /frobnicate/);
    await assertNothingChanged();
  });

  test('a field of the wrong type is a 400 that names the field', async () => {
    const response = await h.api<ErrorBody>({
      method: 'POST',
      path: '/v1/programs',
      body: validProgram({ stopTimeout: 'soon' }),
    });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /stopTimeout/);
    await assertNothingChanged();
  });

  test('a name that tries to leave TEND_HOME is a 400, in a body or in a path', async () => {
    for (const name of ['../evil', '../../tmp/evil', 'a/b', '.hidden', '']) {
      const response = await h.api<ErrorBody>({
        method: 'POST',
        path: '/v1/programs',
        body: validProgram({ name }),
      });
      assert.equal(response.status, 400, `name ${JSON.stringify(name)}`);
      assert.match(response.body.error.message, /name/);
    }
    for (const path of ['/v1/programs/..%2Fevil', '/v1/programs/..%2F..%2Fevil/start']) {
      const method = path.endsWith('/start') ? 'POST' : 'GET';
      const response = await h.api<ErrorBody>({ method, path });
      assert.equal(response.status, 400, path);
    }
    await assertNothingChanged();
  });

  test('a body over 1 MB is a 413', async () => {
    const response = await h.api<ErrorBody>({
      method: 'POST',
      path: '/v1/programs',
      raw: JSON.stringify(validProgram({ env: { BIG: 'x'.repeat(1024 * 1024 + 1) } })),
    });
    assert.equal(response.status, 413);
    assert.equal(response.body.error.code, 'PAYLOAD_TOO_LARGE');
    await assertNothingChanged();
  });

  test('an unknown path is a 404 and a wrong method a 405', async () => {
    for (const path of ['/v1/nothing-here', '/v2/programs', '/programs', '/v1/programs/web/explode']) {
      const response = await h.api<ErrorBody>({ method: 'GET', path });
      assert.equal(response.status, 404, path);
      assert.equal(response.body.error.code, 'NOT_FOUND');
    }
    for (const [method, path] of [
      ['PUT', '/v1/programs'],
      ['DELETE', '/v1/daemon'],
      ['GET', '/v1/programs/web/stop'],
    ] as const) {
      const response = await h.api<ErrorBody>({ method, path });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.body.error.code, 'METHOD_NOT_ALLOWED');
    }
    await assertNothingChanged();
  });

  test('an unknown program is a 404', async () => {
    for (const [method, path] of [
      ['GET', '/v1/programs/ghost'],
      ['GET', '/v1/programs/ghost/events'],
      ['POST', '/v1/programs/ghost/start'],
      ['POST', '/v1/programs/ghost/stop'],
      ['POST', '/v1/programs/ghost/restart'],
      ['DELETE', '/v1/programs/ghost'],
    ] as const) {
      const response = await h.api<ErrorBody>({ method, path });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.deepEqual(response.body.error, { code: 'NOT_FOUND', message: 'No program named "ghost"' });
    }
    const signal = await h.api<ErrorBody>({
      method: 'POST',
      path: '/v1/programs/ghost/signal',
      body: { signal: 'HUP' },
    });
    assert.equal(signal.status, 404);
    await assertNothingChanged();
  });

  test('a bad signal or events limit is a 400', async () => {
    const signal = await h.api<ErrorBody>({
      method: 'POST',
      path: '/v1/programs/ghost/signal',
      body: { signal: 'NOPE' },
    });
    assert.equal(signal.status, 400);
    assert.match(signal.body.error.message, /signal/);
    for (const limit of ['0', '-1', 'many', '1e9']) {
      const events = await h.api<ErrorBody>({
        method: 'GET',
        path: `/v1/programs/all/events?limit=${limit}`,
      });
      assert.equal(events.status, 400, `limit=${limit}`);
    }
    await assertNothingChanged();
  });

  test('a valid request still works after all the bad ones', async () => {
    const created = await h.api<{ name: string; state: string }>({
      method: 'POST',
      path: '/v1/programs',
      body: validProgram({ start: false }),
    });
    assert.equal(created.status, 200);
    assert.equal(created.body.state, 'stopped');
    const deleted = await h.api({ method: 'DELETE', path: '/v1/programs/web' });
    assert.deepEqual(deleted, { status: 200, body: { deleted: ['web'] } });
  });
});
