// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is tend interpolation, not a template
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpolateString } from '../interpolate.js';
import { escapeDollars, formatBytes, formatMs, getGiveUpWindow } from './format.js';

test('writes durations in the largest exact unit', () => {
  assert.deepEqual([0, 100, 1500, 2000, 90_000, 120_000, 3_600_000].map(formatMs), [
    '0s',
    '100ms',
    '1500ms',
    '2s',
    '90s',
    '2m',
    '1h',
  ]);
});

test('writes sizes in the largest exact unit', () => {
  assert.deepEqual([0, 1000, 1024, 50 * 1024 * 1024, 1024 ** 3].map(formatBytes), [
    0,
    1000,
    '1KB',
    '50MB',
    '1GB',
  ]);
});

test('a give-up window fits that many back-to-back failures, in whole minutes', () => {
  assert.equal(getGiveUpWindow(4, 1000), '3m'); // 4 × (1s + 30s) = 124s
  assert.equal(getGiveUpWindow(10, 10_000, 15_000), '5m'); // 10 × 25s = 250s
  assert.equal(getGiveUpWindow(1, 0, 0), '1m');
});

test('escapes dollars so that tend.yaml reads back exactly the text copied', () => {
  assert.equal(escapeDollars('-p ${PORT:-5000} $HOME'), '-p $${PORT:-5000} $HOME');
  for (const text of ['${PORT:-5000}', '$$', 'a$$b', '$${X}', 'cost$', '$$$', 'echo $1 ${2}', 'plain']) {
    assert.deepEqual(interpolateString(escapeDollars(text), {}), { value: text });
  }
});
