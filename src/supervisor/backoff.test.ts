import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MIN_BACKOFF_MS } from '../config/program-schema.js';
import { getBackoffDelayMs, getRecentFailures, isQuickExit } from './backoff.js';
import { makeContext, NOW } from './fake-system.js';

describe('getBackoffDelayMs', () => {
  test('the first failure waits initialMs', () => {
    assert.equal(getBackoffDelayMs(makeContext(), 1), 250);
  });

  test('each further failure multiplies the delay', () => {
    const ctx = makeContext();
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => getBackoffDelayMs(ctx, n)),
      [250, 500, 1000, 2000, 4000, 8000, 16_000],
    );
  });

  test('the delay is capped at maxMs', () => {
    const ctx = makeContext();
    assert.equal(getBackoffDelayMs(ctx, 8), 30_000);
    assert.equal(getBackoffDelayMs(ctx, 20), 30_000);
  });

  test('a huge failure count stays capped instead of overflowing', () => {
    assert.equal(getBackoffDelayMs(makeContext(), 5000), 30_000);
  });

  test('no failures means only the restartDelay', () => {
    assert.equal(getBackoffDelayMs(makeContext(), 0), 0);
    assert.equal(getBackoffDelayMs(makeContext({ restartDelayMs: 700 }), 0), 700);
    assert.equal(getBackoffDelayMs(makeContext({ restartDelayMs: 700 }), -1), 700);
  });

  test('the delay is never shorter than restartDelay', () => {
    const ctx = makeContext({ restartDelayMs: 1000 });
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => getBackoffDelayMs(ctx, n)),
      [1000, 1000, 1000, 2000, 4000],
    );
  });

  test('a restartDelay above maxMs wins over the cap', () => {
    assert.equal(getBackoffDelayMs(makeContext({ restartDelayMs: 45_000 }), 10), 45_000);
  });

  test('a fractional multiplier gives whole milliseconds', () => {
    const ctx = makeContext({
      backoff: { initialMs: 250, multiplier: 1.5, maxMs: 30_000, resetAfterMs: 10_000 },
    });
    assert.deepEqual(
      [1, 2, 3].map((n) => getBackoffDelayMs(ctx, n)),
      [250, 375, 563],
    );
  });

  test('a multiplier of 1 keeps a constant delay', () => {
    const ctx = makeContext({
      backoff: { initialMs: 400, multiplier: 1, maxMs: 30_000, resetAfterMs: 10_000 },
    });
    assert.deepEqual(
      [1, 5, 50].map((n) => getBackoffDelayMs(ctx, n)),
      [400, 400, 400],
    );
  });
});

describe('isQuickExit', () => {
  test('an exit while still starting is always quick', () => {
    const ctx = makeContext();
    assert.equal(isQuickExit(ctx, 0, true), true);
    assert.equal(isQuickExit(ctx, 3_600_000, true), true);
  });

  test('a run shorter than resetAfterMs is quick', () => {
    const ctx = makeContext();
    assert.equal(isQuickExit(ctx, 0, false), true);
    assert.equal(isQuickExit(ctx, 9_999, false), true);
  });

  test('a run of at least resetAfterMs is stable', () => {
    const ctx = makeContext();
    assert.equal(isQuickExit(ctx, 10_000, false), false);
    assert.equal(isQuickExit(ctx, 86_400_000, false), false);
  });

  test('the threshold follows the configured resetAfterMs', () => {
    const ctx = makeContext({ backoff: { initialMs: 250, multiplier: 2, maxMs: 30_000, resetAfterMs: 500 } });
    assert.equal(isQuickExit(ctx, 499, false), true);
    assert.equal(isQuickExit(ctx, 500, false), false);
  });
});

describe('getRecentFailures', () => {
  const giveUp = { failures: 5, withinMs: 60_000 };

  test('with no history it holds only this failure', () => {
    assert.deepEqual(getRecentFailures(makeContext({ giveUp })), [NOW]);
  });

  test('keeps failures inside the window and appends now last', () => {
    const ctx = makeContext({ giveUp, recentFailures: [NOW - 50_000, NOW - 1] });
    assert.deepEqual(getRecentFailures(ctx), [NOW - 50_000, NOW - 1, NOW]);
  });

  test('drops failures older than the window', () => {
    const ctx = makeContext({ giveUp, recentFailures: [NOW - 200_000, NOW - 60_001, NOW - 30_000] });
    assert.deepEqual(getRecentFailures(ctx), [NOW - 30_000, NOW]);
  });

  test('a failure exactly one window ago is dropped', () => {
    const ctx = makeContext({ giveUp, recentFailures: [NOW - 60_000, NOW - 59_999] });
    assert.deepEqual(getRecentFailures(ctx), [NOW - 59_999, NOW]);
  });

  test('without giveUp there is no window and only this failure is kept', () => {
    const ctx = makeContext({ giveUp: null, recentFailures: [NOW - 10, NOW - 1] });
    assert.deepEqual(getRecentFailures(ctx), [NOW]);
  });

  test('does not modify the recorded history', () => {
    const recentFailures = [NOW - 200_000, NOW - 10_000];
    const ctx = makeContext({ giveUp, recentFailures });
    getRecentFailures(ctx);
    assert.deepEqual(recentFailures, [NOW - 200_000, NOW - 10_000]);
  });
});

describe('the backoff floor', () => {
  test('a spec saved with initial 0 still waits MIN_BACKOFF_MS between quick restarts', () => {
    const ctx = makeContext({ backoff: { initialMs: 0, multiplier: 2, maxMs: 0, resetAfterMs: 10_000 } });
    assert.deepEqual(
      [1, 2, 10].map((n) => getBackoffDelayMs(ctx, n)),
      [MIN_BACKOFF_MS, MIN_BACKOFF_MS, MIN_BACKOFF_MS],
    );
  });
});
