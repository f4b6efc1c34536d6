import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MIN_BACKOFF_MS, programInputSchema } from './program-schema.js';

describe('programInputSchema backoff', () => {
  const parse = (backoff: Record<string, unknown>) =>
    programInputSchema.safeParse({ name: 'web', command: ['sleep', '1'], cwd: '/', backoff });

  test('refuses a backoff shorter than the floor, naming the key', () => {
    for (const backoff of [{ initial: '0ms' }, { initial: 0 }, { max: '10ms' }]) {
      const result = parse(backoff);
      assert.equal(result.success, false, JSON.stringify(backoff));
      const issue = result.error?.issues[0];
      assert.deepEqual(issue?.path, ['backoff', Object.keys(backoff)[0]]);
      assert.match(issue?.message ?? '', new RegExp(`at least ${MIN_BACKOFF_MS}ms`));
    }
  });

  test('accepts the floor itself', () => {
    assert.equal(parse({ initial: `${MIN_BACKOFF_MS}ms`, max: `${MIN_BACKOFF_MS}ms` }).success, true);
  });
});
