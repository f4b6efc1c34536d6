import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration, parseDuration, parseSize } from './units.js';

describe('parseDuration', () => {
  test('reads every unit', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('1d'), 86_400_000);
  });

  test('reads fractional amounts', () => {
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('0.5m'), 30_000);
    assert.equal(parseDuration('0.25h'), 900_000);
  });

  test('rounds to whole milliseconds', () => {
    assert.equal(parseDuration('1.4ms'), 1);
    assert.equal(parseDuration('0.0015s'), 2);
  });

  test('a bare number, as a number or as text, is milliseconds', () => {
    assert.equal(parseDuration(250), 250);
    assert.equal(parseDuration(0), 0);
    assert.equal(parseDuration('250'), 250);
    assert.equal(parseDuration('0'), 0);
  });

  test('accepts any case and surrounding or inner spaces', () => {
    assert.equal(parseDuration('10S'), 10_000);
    assert.equal(parseDuration('500MS'), 500);
    assert.equal(parseDuration('  10s  '), 10_000);
    assert.equal(parseDuration('10 s'), 10_000);
  });

  test('rejects text that is not a duration', () => {
    for (const bad of [
      '10x',
      '-1s',
      '',
      '   ',
      's',
      'ms',
      '1.s',
      '.5s',
      '1,5s',
      '10 seconds',
      '1h30m',
      'ten',
      '+5s',
    ]) {
      assert.equal(parseDuration(bad), undefined, JSON.stringify(bad));
    }
  });

  test('rejects negative and non-finite numbers', () => {
    assert.equal(parseDuration(-1), undefined);
    assert.equal(parseDuration(Number.NaN), undefined);
    assert.equal(parseDuration(Number.POSITIVE_INFINITY), undefined);
  });
});

describe('parseSize', () => {
  test('reads binary units in any case', () => {
    assert.equal(parseSize('10MB'), 10 * 1024 * 1024);
    assert.equal(parseSize('512kb'), 512 * 1024);
    assert.equal(parseSize('1g'), 1024 ** 3);
    assert.equal(parseSize('1GB'), 1024 ** 3);
    assert.equal(parseSize('2k'), 2048);
    assert.equal(parseSize('3m'), 3 * 1024 * 1024);
    assert.equal(parseSize('100b'), 100);
  });

  test('a bare number, as a number or as text, is bytes', () => {
    assert.equal(parseSize('100'), 100);
    assert.equal(parseSize(4096), 4096);
    assert.equal(parseSize(0), 0);
  });

  test('reads fractional amounts and rounds to whole bytes', () => {
    assert.equal(parseSize('1.5mb'), 1_572_864);
    assert.equal(parseSize('0.5k'), 512);
    assert.equal(parseSize('1.3b'), 1);
  });

  test('accepts surrounding and inner spaces', () => {
    assert.equal(parseSize(' 10 MB '), 10 * 1024 * 1024);
  });

  test('rejects text that is not a size', () => {
    for (const bad of ['10x', '10tb', '-1mb', '', 'MB', '1.mb', 'ten MB', '10 megabytes']) {
      assert.equal(parseSize(bad), undefined, JSON.stringify(bad));
    }
  });

  test('rejects negative and non-finite numbers', () => {
    assert.equal(parseSize(-1), undefined);
    assert.equal(parseSize(Number.NaN), undefined);
    assert.equal(parseSize(Number.POSITIVE_INFINITY), undefined);
  });
});

describe('formatDuration', () => {
  test('under a second shows milliseconds', () => {
    assert.equal(formatDuration(0), '0ms');
    assert.equal(formatDuration(250), '250ms');
    assert.equal(formatDuration(999), '999ms');
  });

  test('under a minute shows whole seconds', () => {
    assert.equal(formatDuration(1000), '1s');
    assert.equal(formatDuration(1999), '1s');
    assert.equal(formatDuration(59_999), '59s');
  });

  test('under an hour shows minutes and any leftover seconds', () => {
    assert.equal(formatDuration(60_000), '1m');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(3_599_000), '59m59s');
  });

  test('under a day shows hours and any leftover minutes', () => {
    assert.equal(formatDuration(3_600_000), '1h');
    assert.equal(formatDuration(5_400_000), '1h30m');
    assert.equal(formatDuration(3_661_000), '1h1m');
  });

  test('a day or more shows days and any leftover hours', () => {
    assert.equal(formatDuration(86_400_000), '1d');
    assert.equal(formatDuration(90_000_000), '1d1h');
    assert.equal(formatDuration(10 * 86_400_000 + 90_000), '10d');
  });

  test('single-unit output reads back to the same duration', () => {
    for (const ms of [500, 10_000, 120_000, 3_600_000, 86_400_000]) {
      assert.equal(parseDuration(formatDuration(ms)), ms);
    }
  });
});
