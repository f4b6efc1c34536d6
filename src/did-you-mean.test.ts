import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findClosest, formatDidYouMean, getEditDistance } from './did-you-mean.js';

describe('getEditDistance', () => {
  test('counts insertions, deletions and substitutions', () => {
    assert.equal(getEditDistance('restartDelay', 'restartDelay'), 0);
    assert.equal(getEditDistance('restartDelya', 'restartDelay'), 2);
    assert.equal(getEditDistance('cmd', 'command'), 4);
    assert.equal(getEditDistance('', 'env'), 3);
  });
});

describe('findClosest', () => {
  const keys = ['command', 'cwd', 'env', 'envFile', 'restart', 'restartDelay'];

  test('suggests a key within two edits', () => {
    assert.equal(findClosest('restartDelya', keys), 'restartDelay');
    assert.equal(findClosest('comand', keys), 'command');
  });

  test('prefers a case-insensitive match over a closer edit', () => {
    assert.equal(findClosest('ENVFILE', keys), 'envFile');
  });

  test('suggests nothing when no key is close', () => {
    assert.equal(findClosest('frobnicate', keys), undefined);
    assert.equal(formatDidYouMean('frobnicate', keys), '');
  });

  test('formats the suggestion for a message', () => {
    assert.equal(formatDidYouMean('restart_delay', keys), ' (did you mean "restartDelay"?)');
  });
});
