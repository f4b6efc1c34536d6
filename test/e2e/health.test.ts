import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ProgramDetailView } from '../../src/api/views.js';
import {
  createProgram,
  createTendHome,
  fixture,
  getEvents,
  getFreePort,
  getProgram,
  waitFor,
  waitForProgram,
} from './helpers.js';

// Health checks against real servers: each kind, a ready check gating running, an unhealthy program
// restarted with the reason in its history, a hung exec check killed at its timeout.

test('an http ready check holds a python http.server in starting until it answers; ls shows it healthy', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const port = await getFreePort();
  // python3 -m http.server takes a while to import; startSecs alone would call it running at 100 ms.
  const started = await h.tend([
    'start',
    '--no-wait',
    '--name',
    'py',
    '--start-secs',
    '100ms',
    '--check-http',
    `http://127.0.0.1:${port}/`,
    '--check-level',
    'ready',
    '--check-period',
    '200ms',
    '--',
    'sh',
    '-c',
    `sleep 0.6; exec python3 -m http.server ${port} --bind 127.0.0.1`,
  ]);
  assert.equal(started.code, 0, started.stderr);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await getProgram(h, 'py')).state, 'starting', 'not running before the check passes');
  const running = await waitForProgram(h, 'py', (row) => row.state === 'running', 10_000, 'running');
  assert.equal(running.health, 'healthy');
  const table = await h.tend(['ls']);
  assert.match(table.stdout, /HEALTH/);
  assert.match(table.stdout, /^py\s+running\s.*healthy/m);
});

test('an unhealthy alive check restarts a node server, with health as the reason in its history', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const port = await getFreePort();
  const sick = join(h.home, 'sick');
  await createProgram(h, {
    name: 'api',
    command: ['node', fixture('health-server.mjs')],
    env: { PORT: String(port), SICK: sick },
    startSecs: '100ms',
    checks: [
      // The startup check holds the live one back until node listens.
      { name: 'up', tcp: `127.0.0.1:${port}`, level: 'startup', period: '100ms', budget: '10s' },
      { name: 'live', http: `http://127.0.0.1:${port}/health`, period: '200ms', failureThreshold: 2 },
      { tcp: `127.0.0.1:${port}`, period: '200ms' },
    ],
  });
  const first = await waitForProgram(
    h,
    'api',
    (row) => row.state === 'running' && row.health === 'healthy',
    10_000,
    'healthy',
  );
  writeFileSync(sick, '');
  const restarted = await waitForProgram(
    h,
    'api',
    (row) => row.restarts === 1,
    10_000,
    'restarted by its check',
  );
  assert.notEqual(restarted.pid, first.pid);
  const events = await getEvents(h, 'api');
  const note = events.find((event) => event.event === 'health');
  assert.equal(
    note?.message,
    'check "live" (alive) unhealthy: HTTP 503 (expected 200-399), 2 failures in a row',
  );
  const exit = events.find((event) => event.event === 'exit' && event.pid === first.pid);
  assert.match(
    exit?.message ?? '',
    /^health: check "live" failed 2 times in a row \(HTTP 503 \(expected 200-399\)\); exited with code 0/,
  );
  const detail = await h.tendJson<ProgramDetailView>(['show', 'api']);
  assert.deepEqual(
    detail.checks.map((check) => [check.name, check.kind, check.level]),
    [
      ['up', 'tcp', 'startup'],
      ['live', 'http', 'alive'],
      ['tcp', 'tcp', 'alive'],
    ],
  );
});

test('a hung exec check is killed at its timeout and shown with its output; a passing one is healthy', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await createProgram(h, {
    name: 'worker',
    command: ['sleep', '1000'],
    startSecs: '100ms',
    checks: [
      {
        name: 'hung',
        exec: 'echo still thinking; exec sleep 60',
        timeout: '300ms',
        period: '10s',
        failureThreshold: 5,
      },
      { name: 'ok', exec: ['sh', '-c', 'echo "fine in $PWD"'], period: '10s' },
    ],
  });
  const detail = await waitFor(
    async () => {
      const view = await h.tendJson<ProgramDetailView>(['show', 'worker']);
      return view.checks.every((check) => check.last !== null) && view;
    },
    10_000,
    'both checks to have run',
  );
  const [hung, ok] = detail.checks;
  assert.equal(hung?.last?.ok, false);
  assert.equal(hung?.last?.message, 'timed out after 300 ms; killed');
  assert.equal(hung?.last?.output, 'still thinking\n');
  assert.ok((hung?.last?.durationMs ?? 0) < 5000);
  assert.deepEqual([ok?.status, ok?.last?.output], ['healthy', `fine in ${h.home}\n`]);
  const shown = await h.tend(['show', 'worker']);
  assert.match(
    shown.stdout,
    /check hung\s+exec alive: unknown \(1 failures in a row\), last failed at .*: timed out after 300 ms; killed/,
  );
  assert.match(shown.stdout, /\| still thinking/);
  // The hung `sleep 60` was killed: the suite's leak check would find it (it carries TEND_HOME).
});
