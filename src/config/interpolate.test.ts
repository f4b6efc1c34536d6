// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is tend interpolation, not a template
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { interpolateString, interpolateValues } from './interpolate.js';
import type { Problem } from './problems.js';

const env = { HOST: 'db.internal', EMPTY: '', PORT: '5432' };

describe('interpolateString', () => {
  test('replaces a set variable', () => {
    assert.deepEqual(interpolateString('postgres://${HOST}:${PORT}/app', env), {
      value: 'postgres://db.internal:5432/app',
    });
  });

  test('uses the default when the variable is unset or empty', () => {
    assert.deepEqual(interpolateString('${MISSING:-localhost}', env), { value: 'localhost' });
    assert.deepEqual(interpolateString('${EMPTY:-fallback}', env), { value: 'fallback' });
    assert.deepEqual(interpolateString('${HOST:-localhost}', env), { value: 'db.internal' });
    assert.deepEqual(interpolateString('${MISSING:-}', env), { value: '' });
  });

  test('a default may contain spaces and colons', () => {
    assert.deepEqual(interpolateString('${URL:-http://localhost:3000/a b}', env), {
      value: 'http://localhost:3000/a b',
    });
  });

  test('an empty variable without a default is an empty string, not an error', () => {
    assert.deepEqual(interpolateString('[${EMPTY}]', env), { value: '[]' });
  });

  test('$$ is a literal dollar and a lone $ is left alone', () => {
    assert.deepEqual(interpolateString('price $$5, echo $HOME, $$${HOST}', env), {
      value: 'price $5, echo $HOME, $db.internal',
    });
    assert.deepEqual(interpolateString('cost: 5$', env), { value: 'cost: 5$' });
  });

  test('an unset variable without a default names the variable', () => {
    const result = interpolateString('${DATABASE_URL}', env);
    assert.ok('error' in result);
    assert.match(result.error, /environment variable DATABASE_URL to be set/);
    assert.match(result.error, /\$\{DATABASE_URL:-value\}/);
  });

  test('a malformed reference is an error', () => {
    for (const text of ['${', '${HOST', '${}', '${1X}', '${A B}']) {
      const result = interpolateString(text, env);
      assert.ok('error' in result, text);
      assert.match(result.error, /expected \$\{NAME\} or \$\{NAME:-default\}/);
    }
  });
});

describe('interpolateValues', () => {
  test('interpolates every string in maps and lists, not keys or other values', () => {
    const problems: Problem[] = [];
    const data = {
      programs: { api: { command: ['node', '${HOST}'], env: { '${HOST}': '${PORT}' }, n: 3, b: true } },
    };
    assert.deepEqual(interpolateValues(data, env, problems), {
      programs: { api: { command: ['node', 'db.internal'], env: { '${HOST}': '5432' }, n: 3, b: true } },
    });
    assert.deepEqual(problems, []);
  });

  test('records the path of a string that fails and keeps it as written', () => {
    const problems: Problem[] = [];
    const result = interpolateValues({ programs: { api: { command: ['x', '${NOPE}'] } } }, env, problems);
    assert.deepEqual(result, { programs: { api: { command: ['x', '${NOPE}'] } } });
    assert.deepEqual(
      problems.map((problem) => problem.path),
      [['programs', 'api', 'command', 1]],
    );
  });
});
