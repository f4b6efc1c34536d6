import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configFileSchema } from './file-schema.js';
import { getZodProblems } from './zod-problems.js';

function getProblems(data: unknown) {
  const result = configFileSchema.safeParse(data);
  assert.ok(!result.success);
  return getZodProblems(result.error, data).map(({ path, message, at }) => ({
    path: path.join('.'),
    message,
    at,
  }));
}

const withApi = (api: Record<string, unknown>) => ({ programs: { api: { command: 'node a.js', ...api } } });

describe('getZodProblems', () => {
  test('a bad enum lists the choices and what was found', () => {
    assert.deepEqual(getProblems(withApi({ restart: 'sometimes' })), [
      {
        path: 'programs.api.restart',
        message: 'expected one of always, on-failure, never, found "sometimes"',
        at: undefined,
      },
    ]);
  });

  test('a wrong type says what type was expected', () => {
    const messages = getProblems(withApi({ autostart: 'yes', env: { PORT: 3000 } })).map(
      (problem) => problem.message,
    );
    assert.deepEqual(messages.sort(), [
      'expected a string (quote numbers and booleans: "3000"), found 3000',
      'expected true or false, found "yes"',
    ]);
  });

  test('bounds read as numbers and counts', () => {
    const messages = getProblems(
      withApi({ instances: 0, successExitCodes: [], backoff: { multiplier: 200 } }),
    ).map((problem) => problem.message);
    assert.deepEqual(messages, [
      'expected a number ≥ 1, found 0',
      'expected at least 1 item, found a list',
      'expected a number ≤ 100, found 200',
    ]);
  });

  test('a bad duration, size or signal says what one looks like', () => {
    const messages = getProblems(
      withApi({ stopTimeout: '10 seconds', stopSignal: 'STOPIT', logs: { maxSize: 'huge' } }),
    ).map((problem) => problem.message);
    assert.deepEqual(messages.sort(), [
      'expected a duration like 500ms, 10s or 2m, found "10 seconds"',
      'expected a signal like TERM, SIGINT or 15, found "STOPIT"',
      'expected a size like 512KB or 10MB, found "huge"',
    ]);
  });

  test('an unknown key points at the key and suggests a close one', () => {
    assert.deepEqual(getProblems(withApi({ restartDelya: '1s' })), [
      {
        path: 'programs.api.restartDelya',
        message: 'expected a known key, found "restartDelya" (did you mean "restartDelay"?)',
        at: 'key',
      },
    ]);
  });

  test('an unknown key without a close one lists the known keys', () => {
    const [problem] = getProblems(withApi({ backoff: { frobnicate: 1 } }));
    assert.equal(
      problem?.message,
      'expected one of initial, multiplier, max, resetAfter, found "frobnicate"',
    );
  });

  test('a program-only key in defaults says so', () => {
    const [problem] = getProblems({ defaults: { command: 'x' }, programs: {} });
    assert.equal(
      problem?.message,
      'expected a key allowed in defaults, found "command" (it can only be set on each program)',
    );
  });

  test('a missing command or programs map says what is needed', () => {
    assert.deepEqual(
      getProblems({ programs: { api: {} } }).map((problem) => problem.message),
      ['expected a command: a string, or a list of strings (argv) whose first is not empty, found nothing'],
    );
    assert.deepEqual(
      getProblems({}).map((problem) => problem.message),
      ['expected a map of program names to programs, found nothing'],
    );
    assert.deepEqual(
      getProblems(null).map((problem) => problem.message),
      ['expected a map with "programs" (and optionally "defaults"), found null'],
    );
  });

  test('a bad env name points at the key', () => {
    assert.deepEqual(getProblems(withApi({ env: { 'A=B': '1' } })), [
      {
        path: 'programs.api.env.A=B',
        message: 'expected a variable name without "=", found "A=B"',
        at: 'key',
      },
    ]);
  });

  test('prefixes paths when checking a part of the file', () => {
    const result = configFileSchema.shape.programs.safeParse({ api: { command: 3 } });
    assert.ok(!result.success);
    assert.deepEqual(getZodProblems(result.error, { api: { command: 3 } }, ['programs'])[0]?.path, [
      'programs',
      'api',
      'command',
    ]);
  });
});
