import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { compactAfterRequests } from './compact-after-requests.js';

// One compaction after a burst of requests, none while no request comes.

const app = { handle: async () => ({ status: 200, body: { ok: true } }) };
const request = { method: 'GET', path: '/v1/programs', query: new URLSearchParams(), body: undefined };

test('a burst of requests is followed by one compaction, and nothing runs without requests', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let compactions = 0;
  const handler = compactAfterRequests(app, { delayMs: 1000, collect: () => compactions++ });
  mock.timers.tick(5000);
  assert.equal(compactions, 0, 'no request, no compaction');
  for (let i = 0; i < 5; i++) {
    await handler.handle(request);
    mock.timers.tick(600);
  }
  assert.equal(compactions, 0, 'not while requests keep coming');
  mock.timers.tick(400);
  assert.equal(compactions, 1, 'once, a second after the last answer');
  mock.timers.tick(60_000);
  assert.equal(compactions, 1, 'and not again');
});
