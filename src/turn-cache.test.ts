import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheForTurn } from './turn-cache.js';

test('a value is computed once per key in a turn of the event loop, and again in the next turn', async () => {
  const computed: string[] = [];
  const get = cacheForTurn((key: string) => {
    computed.push(key);
    return key.toUpperCase();
  });
  assert.equal(get('a'), 'A');
  assert.equal(get('a'), 'A');
  assert.deepEqual(computed, ['a']);
  assert.equal(get('b'), 'B');
  assert.deepEqual(computed, ['a', 'b']);
  await new Promise((resolve) => setImmediate(resolve));
  get('b');
  assert.deepEqual(computed, ['a', 'b', 'b']);
});
