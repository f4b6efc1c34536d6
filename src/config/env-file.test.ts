import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createEnvFileReader, readEnvFiles } from './env-file.js';
import type { Problem } from './problems.js';

const dir = mkdtempSync(join(tmpdir(), 'tend-env-file-'));
writeFileSync(join(dir, 'a.env'), '# comment\nA=1\nSHARED=from-a\nQUOTED="two words"\nexport EXPORTED=yes\n');
writeFileSync(join(dir, 'b.env'), 'B=2\nSHARED=from-b\n');
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readEnvFiles', () => {
  test('reads a dotenv file relative to the config directory', () => {
    const problems: Problem[] = [];
    const env = readEnvFiles('a.env', ['envFile'], createEnvFileReader(dir), problems);
    assert.deepEqual(env, { A: '1', SHARED: 'from-a', QUOTED: 'two words', EXPORTED: 'yes' });
    assert.deepEqual(problems, []);
  });

  test('later files of a list win', () => {
    const env = readEnvFiles(['a.env', './b.env'], ['envFile'], createEnvFileReader(dir), []);
    assert.equal(env.SHARED, 'from-b');
    assert.equal(env.A, '1');
    assert.equal(env.B, '2');
  });

  test('a missing file is a problem at its place in the list', () => {
    const problems: Problem[] = [];
    readEnvFiles(
      ['a.env', 'missing.env'],
      ['programs', 'api', 'envFile'],
      createEnvFileReader(dir),
      problems,
    );
    assert.equal(problems.length, 1);
    assert.deepEqual(problems[0]?.path, ['programs', 'api', 'envFile', 1]);
    assert.match(
      problems[0]?.message ?? '',
      /expected a readable dotenv file, found ".*missing\.env" \(no such file\)/,
    );
  });
});
