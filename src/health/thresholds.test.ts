import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INITIAL_THRESHOLD_STATE, recordOutcome, type ThresholdState } from './thresholds.js';

const THRESHOLDS = { successThreshold: 2, failureThreshold: 3 };

function run(outcomes: boolean[]): ThresholdState {
  return outcomes.reduce((state, ok) => recordOutcome(state, ok, THRESHOLDS), INITIAL_THRESHOLD_STATE);
}

describe('check thresholds', () => {
  test('a check is unknown until it has enough results in a row', () => {
    assert.equal(run([true]).status, 'unknown');
    assert.equal(run([false, false]).status, 'unknown');
  });

  test('successThreshold successes in a row make it healthy', () => {
    assert.equal(run([true, true]).status, 'healthy');
    assert.equal(run([true, false, true]).status, 'unknown', 'a failure between resets the count');
  });

  test('failureThreshold failures in a row make it unhealthy, and a success does not undo that alone', () => {
    assert.equal(run([true, true, false, false]).status, 'healthy');
    assert.equal(run([true, true, false, false, false]).status, 'unhealthy');
    assert.equal(run([false, false, false, true]).status, 'unhealthy');
    assert.equal(run([false, false, false, true, true]).status, 'healthy');
  });

  test('counts the failures in a row', () => {
    assert.equal(run([false, false, true, false]).failures, 1);
    assert.equal(run([false, false, false, false]).failures, 4);
  });
});
