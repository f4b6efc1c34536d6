import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadModuleConfig } from './load-module.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/config/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tend-load-module-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, code: string): string {
  const file = join(dir, name);
  writeFileSync(file, code);
  return file;
}

describe('loadModuleConfig', () => {
  test('loads a TypeScript config with relative and node: imports, and tend as defineConfig', async () => {
    const result = await loadModuleConfig(join(FIXTURES, 'ts', 'tend.config.ts'));
    assert.ok('data' in result);
    const data = result.data as {
      programs: Record<string, { env?: Record<string, string> }>;
      defaults: unknown;
    };
    assert.deepEqual(Object.keys(data.programs), ['api', 'worker']);
    assert.deepEqual(data.defaults, { env: { NODE_ENV: 'production' }, restart: 'on-failure' });
  });

  test('loads a JavaScript config that imports a package, without leaving a file behind', async () => {
    const before = readdirSync(join(FIXTURES, 'js'));
    const result = await loadModuleConfig(join(FIXTURES, 'js', 'tend.config.js'));
    assert.ok('data' in result);
    assert.deepEqual((result.data as { programs: { cron: { env: unknown } } }).programs.cron.env, {
      REGION: 'eu-west-1',
    });
    assert.deepEqual(readdirSync(join(FIXTURES, 'js')), before);
  });

  test('loads the file again when it changes', async () => {
    const file = write('again.config.js', 'export default { n: 1 };\n');
    assert.deepEqual(await loadModuleConfig(file), { data: { n: 1 } });
    write('again.config.js', 'export default { n: 2 };\n');
    assert.deepEqual(await loadModuleConfig(file), { data: { n: 2 } });
  });

  test('a syntax error has its line and column', async () => {
    const file = write(
      'broken.config.ts',
      "export default {\n  programs: {\n    api: { command: 'x' ,,\n  },\n};\n",
    );
    const result = await loadModuleConfig(file);
    assert.ok('problems' in result);
    assert.equal(result.problems[0]?.position?.line, 3);
    assert.ok((result.problems[0]?.position?.col ?? 0) > 1);
  });

  test('an error thrown while running is a problem', async () => {
    const result = await loadModuleConfig(write('throws.config.js', "throw new Error('no config today');\n"));
    assert.deepEqual(result, { problems: [{ path: [], message: 'could not run: no config today' }] });
  });

  test('a missing default export is a problem', async () => {
    const result = await loadModuleConfig(join(FIXTURES, 'errors', 'no-default.config.js'));
    assert.ok('problems' in result);
    assert.match(result.problems[0]?.message ?? '', /^expected a default export/);
  });
});
