import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getSignalAction, HANDLED_SIGNALS } from './signals.js';

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
  assert.equal(getSignalAction('SIGQUIT', 0), 'quit');
  for (const signal of ['SIGALRM', 'SIGVTALRM', 'SIGPROF', 'SIGXCPU', 'SIGXFSZ', 'SIGTSTP'] as const)
    assert.equal(getSignalAction(signal, 0), 'log-and-ignore', signal);
});

test('every signal whose default ends or stops a process without a fault is handled', () => {
  const defaultsToDeathOrStop = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE', 'SIGALRM'];
  const more = [
    'SIGTERM',
    'SIGVTALRM',
    'SIGPROF',
    'SIGXCPU',
    'SIGXFSZ',
    'SIGTSTP',
    'SIGTTIN',
    'SIGTTOU',
    'SIGIO',
  ];
  for (const signal of [...defaultsToDeathOrStop, ...more])
    assert.ok((HANDLED_SIGNALS as readonly string[]).includes(signal), signal);
});

test('SIGTERM never forces the exit, however many arrive', () => {
  assert.equal(getSignalAction('SIGTERM', 5), 'stop');
});
