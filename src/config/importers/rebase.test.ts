// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is tend interpolation, not a template
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rebaseConfig } from './rebase.js';

test('rewrites relative paths for a tend.yaml written in another directory', () => {
  const config = {
    defaults: { envFile: '.env' },
    programs: {
      api: { command: 'node server.js', cwd: 'api', logs: { out: 'logs/api.log', err: '/var/log/api.err' } },
      worker: { command: 'node worker.js' },
      home: { command: 'x', cwd: '${HOME}/app', logs: { out: 'console' } },
    },
  };
  assert.deepEqual(rebaseConfig(config, '/srv/shop', '/srv/deploy'), {
    defaults: { envFile: '../shop/.env' },
    programs: {
      api: {
        command: 'node server.js',
        cwd: '../shop/api',
        logs: { out: '../shop/logs/api.log', err: '/var/log/api.err' },
      },
      worker: { command: 'node worker.js', cwd: '../shop' },
      home: { command: 'x', cwd: '${HOME}/app', logs: { out: 'console' } },
    },
  });
});

test('changes nothing when tend.yaml sits next to the imported file', () => {
  const config = { programs: { a: { command: 'a', cwd: 'x' } } };
  assert.equal(rebaseConfig(config, '/srv/shop', '/srv/shop'), config);
});

test('a list of env files is rewritten file by file', () => {
  const config = { programs: { a: { command: 'a', cwd: '/srv', envFile: ['.env', '/etc/default/a'] } } };
  assert.deepEqual(rebaseConfig(config, '/srv/shop', '/srv/deploy').programs.a?.envFile, [
    '../shop/.env',
    '/etc/default/a',
  ]);
});
