import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getSignalAction } from './signals.js';

test('each handled signal maps to its action, and only the third SIGINT forces the exit', () => {
  assert.equal(getSignalAction('SIGTERM', 0), 'stop');
  assert.equal(getSignalAction('SIGINT', 1), 'stop');
  assert.equal(getSignalAction('SIGINT', 2), 'stop');
  assert.equal(getSignalAction('SIGINT', 3), 'force-exit');
  assert.equal(getSignalAction('SIGINT', 4), 'force-exit');
  assert.equal(getSignalAction('SIGHUP', 0), 'reload');
  assert.equal(getSignalAction('SIGUSR1', 0), 'write-run-log');
  assert.equal(getSignalAction('SIGUSR2', 0), 'write-state-dump');
  assert.equal(getSignalAction('SIGPIPE', 0), 'ignore');
});

test('SIGTERM never forces the exit, however many arrive', () => {
  assert.equal(getSignalAction('SIGTERM', 5), 'stop');
});
