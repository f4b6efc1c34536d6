import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../errors.js';
import {
  createConfigError,
  describeValue,
  formatPath,
  formatProblem,
  getValueAt,
  type Locate,
} from './problems.js';

describe('formatPath', () => {
  test('joins keys with dots and indexes with brackets', () => {
    assert.equal(formatPath(['programs', 'api', 'dependsOn', 0]), 'programs.api.dependsOn[0]');
    assert.equal(formatPath([]), '');
  });

  test('quotes keys that are not plain words', () => {
    assert.equal(formatPath(['programs', 'api.v2', 'env', 'A B']), 'programs["api.v2"].env["A B"]');
    assert.equal(formatPath(['programs', 'web-api']), 'programs.web-api');
  });
});

describe('describeValue', () => {
  test('quotes strings and names kinds', () => {
    assert.equal(describeValue('sometimes'), '"sometimes"');
    assert.equal(describeValue(3), '3');
    assert.equal(describeValue(null), 'null');
    assert.equal(describeValue(undefined), 'nothing');
    assert.equal(describeValue([1]), 'a list');
    assert.equal(describeValue({}), 'a map');
    assert.equal(
      describeValue(() => 1),
      'a function',
    );
    assert.equal(describeValue('x'.repeat(100)).length, 82);
  });
});

describe('getValueAt', () => {
  test('follows keys and indexes', () => {
    assert.equal(getValueAt({ a: { b: [1, 2] } }, ['a', 'b', 1]), 2);
    assert.equal(getValueAt({ a: 1 }, ['a', 'b']), undefined);
  });
});

describe('createConfigError', () => {
  const locate: Locate = (path, at) => {
    if (path.at(-1) === 'restart') return { line: 4, col: at === 'key' ? 5 : 14 };
    if (path.at(-1) === 'cwd') return { line: 2, col: 10 };
    return undefined;
  };

  test('writes FILE:LINE:COL: path: message', () => {
    const problem = {
      path: ['programs', 'api', 'restart'],
      message: 'expected one of always, on-failure, never, found "sometimes"',
    };
    assert.equal(
      formatProblem(problem, 'tend.yaml', locate),
      'tend.yaml:4:14: programs.api.restart: expected one of always, on-failure, never, found "sometimes"',
    );
    assert.equal(
      formatProblem({ ...problem, at: 'key' }, 'tend.yaml', locate).slice(0, 14),
      'tend.yaml:4:5:',
    );
  });

  test('writes FILE: path: message without positions', () => {
    assert.equal(formatProblem({ path: ['a'], message: 'm' }, 'tend.config.ts'), 'tend.config.ts: a: m');
    assert.equal(formatProblem({ path: [], message: 'm' }, 'tend.config.ts'), 'tend.config.ts: m');
  });

  test('lists every problem once, one per line, in file order', () => {
    const error = createConfigError(
      [
        { path: ['programs', 'api', 'restart'], message: 'b' },
        { path: ['programs', 'api', 'cwd'], message: 'a' },
        { path: ['programs', 'api', 'restart'], message: 'b' },
      ],
      'tend.yaml',
      locate,
    );
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, 'BAD_CONFIG');
    assert.equal(
      error.message,
      'tend.yaml:2:10: programs.api.cwd: a\ntend.yaml:4:14: programs.api.restart: b',
    );
  });
});
