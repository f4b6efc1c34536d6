// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is tend interpolation, not a template
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../load.js';
import { readIncludedFiles } from './include-files.js';
import { importPm2 } from './pm2.js';
import { importProcfile } from './procfile.js';
import { renderTendYaml } from './render.js';
import { importSupervisord } from './supervisord.js';
import type { ImportResult, ImportSource } from './types.js';

// What the importers write must be a tend.yaml that `tend up` accepts as it is.

const FIXTURES = new URL('../../../test/fixtures/import/', import.meta.url).pathname;

async function load(result: ImportResult, source: ImportSource, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tend-import-'));
  writeFileSync(join(dir, '.env'), 'RAILS_ENV=development\n');
  const file = join(dir, 'tend.yaml');
  writeFileSync(file, renderTendYaml(result, source, 'input'));
  return loadConfig({ file, cwd: dir, env });
}

const read = (path: string) => readFileSync(join(FIXTURES, path), 'utf8');

test('the pm2 imports load as they are written', async () => {
  for (const name of ['ecosystem.config.js', 'ecosystem.json']) {
    const path = join(FIXTURES, 'pm2', name);
    const loaded = await load(importPm2(read(`pm2/${name}`), path), 'pm2');
    assert.ok(loaded.programs.length > 0);
    assert.ok(loaded.programs.every((program) => program.stopSignal === 'INT'));
  }
});

test('the supervisord import loads, with %(ENV_X)s read from the environment', async () => {
  const path = join(FIXTURES, 'supervisord', 'supervisord.conf');
  const result = importSupervisord(read('supervisord/supervisord.conf'), path, {
    readInclude: readIncludedFiles,
  });
  const loaded = await load(result, 'supervisord', { ACME_SECRET_KEY: 's3cret' });
  const api = loaded.programs.find((program) => program.name === 'api-00');
  assert.equal(api?.env.SECRET_KEY, 's3cret');
  assert.equal(api?.env.LANG, 'en_US.UTF-8');
  assert.deepEqual(
    loaded.programs.filter((program) => program.instanceOf === 'celery').map((program) => program.name),
    ['celery-0', 'celery-1', 'celery-2'],
  );
  assert.deepEqual(loaded.order.slice(0, 2), ['redis', 'api-00']);
});

test('the Procfile import loads, and ${PORT:-5000} reaches the shell unexpanded', async () => {
  const result = importProcfile(read('procfile/Procfile'), join(FIXTURES, 'procfile', 'Procfile'), {
    envFile: '.env',
  });
  const loaded = await load(result, 'procfile');
  const web = loaded.programs.find((program) => program.name === 'web');
  assert.equal(web?.command, 'bundle exec puma -C config/puma.rb -p ${PORT:-5000}');
  assert.equal(web?.env.RAILS_ENV, 'development');
});
