import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getExitStatus, getSignalNumber, normalizeSignal } from './signals.js';

describe('normalizeSignal', () => {
  test('adds the SIG prefix to a bare name', () => {
    assert.equal(normalizeSignal('TERM'), 'SIGTERM');
    assert.equal(normalizeSignal('HUP'), 'SIGHUP');
  });

  test('accepts any case and surrounding spaces', () => {
    assert.equal(normalizeSignal('sigterm'), 'SIGTERM');
    assert.equal(normalizeSignal('int'), 'SIGINT');
    assert.equal(normalizeSignal('SigUsr1'), 'SIGUSR1');
    assert.equal(normalizeSignal('  quit '), 'SIGQUIT');
  });

  test('keeps a full name as it is', () => {
    assert.equal(normalizeSignal('SIGKILL'), 'SIGKILL');
    assert.equal(normalizeSignal('SIGWINCH'), 'SIGWINCH');
  });

  test('reads a number given as text', () => {
    assert.equal(normalizeSignal('9'), 'SIGKILL');
    assert.equal(normalizeSignal('1'), 'SIGHUP');
  });

  test('reads a number', () => {
    assert.equal(normalizeSignal(15), 'SIGTERM');
    assert.equal(normalizeSignal(2), 'SIGINT');
  });

  test('rejects unknown names', () => {
    for (const bad of ['NOPE', 'SIGNOPE', '', 'SIG', 'TERM!', '-9', '9.0']) {
      assert.equal(normalizeSignal(bad), undefined, JSON.stringify(bad));
    }
  });

  test('rejects numbers that are no signal', () => {
    assert.equal(normalizeSignal(0), undefined);
    assert.equal(normalizeSignal(99), undefined);
    assert.equal(normalizeSignal(-15), undefined);
    assert.equal(normalizeSignal('99'), undefined);
  });
});

describe('getSignalNumber', () => {
  test('gives the kernel number of a signal', () => {
    assert.equal(getSignalNumber('SIGHUP'), 1);
    assert.equal(getSignalNumber('SIGKILL'), 9);
    assert.equal(getSignalNumber('SIGTERM'), 15);
  });
});

describe('getExitStatus', () => {
  test('a death by signal is 128 plus the signal number', () => {
    assert.equal(getExitStatus(null, 'SIGKILL'), 137);
    assert.equal(getExitStatus(null, 'SIGTERM'), 143);
    assert.equal(getExitStatus(null, 'SIGINT'), 130);
    assert.equal(getExitStatus(null, 'SIGSEGV'), 139);
  });

  test('an exit code passes through unchanged', () => {
    assert.equal(getExitStatus(0, null), 0);
    assert.equal(getExitStatus(1, null), 1);
    assert.equal(getExitStatus(255, null), 255);
  });

  test('an unknown status stays unknown', () => {
    assert.equal(getExitStatus(null, null), null);
  });

  test('a signal wins over a code when both are given', () => {
    assert.equal(getExitStatus(1, 'SIGTERM'), 143);
  });
});
