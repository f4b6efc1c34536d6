import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseYamlWithPositions } from './positions.js';

const text = `programs:
  api:
    command: node server.js
    dependsOn: [db, cache]
    env:
      PORT: "3000"
`;

describe('parseYamlWithPositions', () => {
  test('returns the data of the document', () => {
    const { data, problems } = parseYamlWithPositions(text);
    assert.deepEqual(problems, []);
    assert.deepEqual(data, {
      programs: { api: { command: 'node server.js', dependsOn: ['db', 'cache'], env: { PORT: '3000' } } },
    });
  });

  test('locates keys and values, 1-based', () => {
    const { locate } = parseYamlWithPositions(text);
    assert.deepEqual(locate(['programs', 'api', 'command'], 'key'), { line: 3, col: 5 });
    assert.deepEqual(locate(['programs', 'api', 'command'], 'value'), { line: 3, col: 14 });
    assert.deepEqual(locate(['programs', 'api', 'dependsOn', 1], 'value'), { line: 4, col: 21 });
    assert.deepEqual(locate(['programs', 'api', 'env', 'PORT'], 'value'), { line: 6, col: 13 });
  });

  test('a missing key points at the key of its nearest written parent', () => {
    const { locate } = parseYamlWithPositions(text);
    assert.deepEqual(locate(['programs', 'api', 'restart'], 'value'), { line: 2, col: 3 });
    assert.deepEqual(locate(['defaults'], 'value'), { line: 1, col: 1 });
  });

  test('locates JSON too', () => {
    const { data, locate } = parseYamlWithPositions(
      '{\n  "programs": {\n    "api": { "command": 3 }\n  }\n}\n',
    );
    assert.deepEqual(data, { programs: { api: { command: 3 } } });
    assert.deepEqual(locate(['programs', 'api', 'command'], 'value'), { line: 3, col: 25 });
  });

  test('reports a syntax error with its line and column', () => {
    const { problems } = parseYamlWithPositions('programs:\n  api: { command: x\n  web: y\n');
    assert.ok(problems.length > 0);
    assert.equal(problems[0]?.position?.line, 3);
    assert.match(problems[0]?.message ?? '', /^YAML syntax error: /);
  });

  test('reports a duplicate key as an error', () => {
    const { problems } = parseYamlWithPositions('programs:\n  api: {}\n  api: {}\n');
    assert.deepEqual(problems[0]?.position, { line: 3, col: 3 });
    assert.match(problems[0]?.message ?? '', /unique/);
  });

  test('a second document is an error', () => {
    const { problems } = parseYamlWithPositions('programs: {}\n---\nprograms: {}\n');
    assert.deepEqual(problems, [
      {
        path: [],
        position: { line: 2, col: 1 },
        message: 'YAML syntax error: Source contains multiple documents',
      },
    ]);
  });

  test('an empty file is null at line 1, column 1', () => {
    const { data, locate } = parseYamlWithPositions('# only a comment\n');
    assert.equal(data, null);
    assert.deepEqual(locate([], 'value'), { line: 1, col: 1 });
  });
});
