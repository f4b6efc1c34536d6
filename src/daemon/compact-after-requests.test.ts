import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { compactAfterRequests } from './compact-after-requests.js';

// One compaction after a burst of requests, none while no request comes.

const app = { handle: async () => ({ status: 200, body: { ok: true } }) };
const request = { method: 'GET', path: '/v1/programs', query: new URLSearchParams(), body: undefined };

test('a burst of requests is followed by one compaction, and nothing runs without requests', async () => {
  let compactions = 0;
  const handler = compactAfterRequests(app, { delayMs: 50, collect: () => compactions++ });
  await delay(120);
  assert.equal(compactions, 0, 'no request, no compaction');
  for (let i = 0; i < 5; i++) await handler.handle(request);
  assert.equal(compactions, 0, 'not during the burst');
  for (const deadline = Date.now() + 5000; compactions === 0 && Date.now() < deadline; ) await delay(10);
  assert.equal(compactions, 1, 'once after it');
  await delay(200);
  assert.equal(compactions, 1, 'and not again');
});
