import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeSystem } from './system.js';

test('spawn ids are 128 random bits in hex, never the same twice across pool refills', () => {
  const ids = Array.from({ length: 600 }, () => nodeSystem.newSpawnId());
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.notEqual(ids[0], '0'.repeat(32));
});
