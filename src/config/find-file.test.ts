import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../errors.js';
import { resolveConfigFile, searchConfigFile } from './find-file.js';

const root = mkdtempSync(join(tmpdir(), 'tend-find-'));
after(() => rmSync(root, { recursive: true, force: true }));

function makeDir(...parts: string[]): string {
  const dir = join(root, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('searchConfigFile', () => {
  test('finds the file in the working directory', () => {
    const dir = makeDir('here');
    writeFileSync(join(dir, 'tend.yaml'), 'programs: {}\n');
    assert.equal(searchConfigFile(dir), join(dir, 'tend.yaml'));
  });

  test('searches up from a subdirectory', () => {
    const dir = makeDir('up');
    writeFileSync(join(dir, 'tend.json'), '{"programs":{}}');
    assert.equal(searchConfigFile(makeDir('up', 'a', 'b')), join(dir, 'tend.json'));
  });

  test('the nearest directory wins over a parent', () => {
    makeDir('near');
    writeFileSync(join(root, 'near', 'tend.yaml'), 'programs: {}\n');
    const child = makeDir('near', 'child');
    writeFileSync(join(child, 'tend.config.js'), 'export default { programs: {} };\n');
    assert.equal(searchConfigFile(child), join(child, 'tend.config.js'));
  });

  test('prefers yaml, yml, json, ts, js in that order within one directory', () => {
    const dir = makeDir('many');
    const names = ['tend.config.js', 'tend.config.ts', 'tend.json', 'tend.yml', 'tend.yaml'];
    for (const name of names) {
      writeFileSync(join(dir, name), '');
      assert.equal(searchConfigFile(dir), join(dir, name));
    }
  });

  test('ignores a directory with a config name', () => {
    const dir = makeDir('dirname');
    mkdirSync(join(dir, 'tend.yaml'));
    writeFileSync(join(dir, 'tend.yml'), '');
    assert.equal(searchConfigFile(dir), join(dir, 'tend.yml'));
  });

  test('says which names it searched for and from where when there is none', () => {
    const dir = makeDir('none', 'deep');
    // The temporary directory's parents hold no tend config; this test relies on that.
    assert.throws(
      () => searchConfigFile(dir),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.code === 'BAD_CONFIG' &&
        error.message.includes('tend.yaml, tend.yml, tend.json, tend.config.ts, tend.config.js') &&
        error.message.includes(dir),
    );
  });
});

describe('resolveConfigFile', () => {
  test('resolves -f against the working directory', () => {
    const dir = makeDir('f');
    writeFileSync(join(dir, 'prod.yaml'), 'programs: {}\n');
    assert.equal(resolveConfigFile('prod.yaml', dir), join(dir, 'prod.yaml'));
    assert.equal(resolveConfigFile(join(dir, 'prod.yaml'), '/'), join(dir, 'prod.yaml'));
  });

  test('a missing -f file is a ConfigError naming it', () => {
    assert.throws(() => resolveConfigFile('nope.yaml', root), /Config file .*nope\.yaml does not exist/);
  });
});
