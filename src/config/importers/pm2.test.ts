// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is tend interpolation, not a template
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getMissingAccountNotes } from './notes.js';
import { importPm2 } from './pm2.js';
import type { ImportResult } from './types.js';

const FIXTURES = new URL('../../../test/fixtures/import/pm2/', import.meta.url).pathname;

function importFixture(name: string, env?: string): ImportResult {
  const path = join(FIXTURES, name);
  return importPm2(readFileSync(path, 'utf8'), path, { env });
}

function importTemp(name: string, text: string): ImportResult {
  const path = join(mkdtempSync(join(tmpdir(), 'tend-import-')), name);
  writeFileSync(path, text);
  return importPm2(text, path);
}

const optionsOf = (result: ImportResult) => result.notes.map((note) => [note.program, note.option]);

test('imports every app of a multi-app ecosystem.config.js', () => {
  const { config } = importFixture('ecosystem.config.js');
  assert.deepEqual(config.defaults, { stopSignal: 'INT' });
  assert.deepEqual(config.programs['shop-api'], {
    command: ['node', '--enable-source-maps', '--max-old-space-size=512', './dist/server.js'],
    instances: 'max',
    offsetEnv: ['NODE_APP_INSTANCE', 'PORT'],
    env: { NODE_ENV: 'development', PORT: '3000', NODE_APP_INSTANCE: '0' },
    backoff: { initial: '100ms', multiplier: 1.5, max: '15s', resetAfter: '10s' },
    giveUp: { failures: 10, within: '5m' },
    ready: 'notify',
    startTimeout: '8s',
    stopTimeout: '5s',
    logs: { out: './logs/api.out.log', err: './logs/api.err.log', timestamps: true },
  });
  assert.deepEqual(config.programs.mailer, {
    command: ['node', 'worker.js', '--queue', 'mail', '--concurrency', '4'],
    cwd: './services/mailer',
    env: { NODE_ENV: 'development', REDIS_URL: 'redis://localhost:6379/0' },
    restartDelay: '2s',
    logs: { out: 'services/mailer/logs/mailer.log', merge: true, timestamps: true },
  });
  assert.deepEqual(config.programs['nightly-report'], {
    command: ['python3', 'scripts/report.py', '--since', '24 hours ago', '--to', 'ops@example.com'],
    env: { PYTHONPATH: 'lib' },
    restart: 'never',
  });
  assert.deepEqual(config.programs.thumbnailer, {
    command: ['bin/thumbs'],
    instances: 2,
    offsetEnv: ['NODE_APP_INSTANCE', 'THUMB_PORT'],
    env: { THUMB_PORT: '9100', CACHE_DIR: '~/.cache/thumbs', NODE_APP_INSTANCE: '0' },
    restart: 'on-failure',
    successExitCodes: [0, 3],
    user: 'media',
    group: 'media',
  });
});

test('notes every pm2 option it drops or approximates, with the reason', () => {
  const result = importFixture('ecosystem.config.js');
  assert.deepEqual(optionsOf(result), [
    [null, 'deploy'],
    ['shop-api', 'env_production'],
    ['shop-api', 'exec_mode'],
    ['shop-api', 'exp_backoff_restart_delay'],
    ['shop-api', 'max_restarts'],
    ['shop-api', 'wait_ready'],
    ['shop-api', 'merge_logs'],
    ['shop-api', 'log_date_format'],
    ['shop-api', 'max_memory_restart'],
    ['mailer', 'env_production'],
    ['mailer', 'log_file'],
    ['mailer', 'watch'],
    ['mailer', 'ignore_watch'],
    ['nightly-report', 'interpreter'],
    ['nightly-report', 'cron_restart'],
    ['thumbnailer', 'interpreter'],
  ]);
  const reason = (program: string, option: string) =>
    result.notes.find((note) => note.program === program && note.option === option)?.reason;
  assert.match(
    reason('shop-api', 'exec_mode') ?? '',
    /shared port 3000.*offset per instance \(3000, 3001, …\)/,
  );
  assert.match(reason('shop-api', 'env_production') ?? '', /--env production/);
  assert.match(reason('shop-api', 'log_date_format') ?? '', /ISO 8601/);
});

test('--env NAME merges env_NAME (and deploy.NAME.env) over env, like pm2 start --env', () => {
  const result = importFixture('ecosystem.config.js', 'production');
  assert.deepEqual(result.config.programs['shop-api']?.env, {
    DEPLOYED_BY: 'pm2-deploy',
    NODE_ENV: 'production',
    PORT: '8080',
    LOG_LEVEL: 'info',
    NODE_APP_INSTANCE: '0',
  });
  assert.equal(result.config.programs.mailer?.env?.REDIS_URL, 'redis://cache.internal:6379/0');
  // Only the apps without env_production are noted, as pm2 warns about them.
  assert.deepEqual(
    result.notes.filter((note) => note.option === 'env_production').map((note) => note.program),
    ['nightly-report', 'thumbnailer'],
  );
});

test('--env with a name no app defines is an error', () => {
  assert.throws(() => importFixture('ecosystem.config.js', 'staging'), {
    name: 'BadArgumentError',
    message: /--env staging: no app in .*ecosystem\.config\.js has env_staging/,
  });
});

test('imports an ecosystem.json: cluster instances, one log for both streams, JSON logs', () => {
  const result = importFixture('ecosystem.json');
  assert.deepEqual(result.config, {
    defaults: { stopSignal: 'INT' },
    programs: {
      'chat-gateway': {
        command: ['node', 'index.js'],
        cwd: '/srv/chat',
        instances: 4,
        offsetEnv: ['INSTANCE_ID', 'PORT'],
        env: {
          NODE_ENV: 'production',
          PORT: '4000',
          FEATURES: '{"typing":true,"presence":false}',
          INSTANCE_ID: '0',
        },
        backoff: { resetAfter: '1s' },
        giveUp: { failures: 5, within: '3m' },
        logs: { out: '/var/log/chat/gateway.log', merge: true, format: 'json' },
      },
      'presence-sync': {
        command: ['npm', 'run', 'presence', '--', '--verbose'],
        cwd: '/srv/chat',
        stopTimeout: '3s',
        logs: { out: '/dev/null', err: '/dev/null' },
      },
    },
  });
  assert.deepEqual(optionsOf(result), [
    ['chat-gateway', 'exec_mode'],
    ['chat-gateway', 'max_restarts'],
    ['chat-gateway', 'log_type'],
    ['chat-gateway', 'treekill'],
    ['presence-sync', 'name'],
  ]);
});

test('accepts a JavaScript object literal in a .json file, as pm2 does', () => {
  const result = importTemp(
    'ecosystem.json',
    "// apps\n{ apps: [{ script: 'app.js', interpreter_args: ['--inspect'] }] }",
  );
  assert.deepEqual(result.config.programs.app?.command, ['node', '--inspect', 'app.js']);
});

test('a .cjs file, a module with a default export and a lone app object all load', () => {
  const cjs = importTemp(
    'ecosystem.config.cjs',
    "module.exports = { apps: [{ name: 'a', script: 'run.sh' }] };",
  );
  assert.deepEqual(cjs.config.programs.a?.command, ['bash', 'run.sh']);
  const esm = importTemp(
    'ecosystem.config.mjs',
    "export default { apps: [{ name: 'b', script: 'b.rb', args: '-v' }] };",
  );
  assert.deepEqual(esm.config.programs.b?.command, ['ruby', 'b.rb', '-v']);
  const lone = importTemp('app.json', '{ "script": "/usr/bin/redis-server", "name": "cache" }');
  assert.deepEqual(lone.config.programs.cache?.command, ['/usr/bin/redis-server']);
});

test('dollar signs are kept as written, not left for tend.yaml to expand', () => {
  const result = importTemp(
    'e.json',
    '{ "apps": [{ "name": "a", "script": "a.js", "args": "--price ${PRICE}", "env": { "T": "$$x" } }] }',
  );
  assert.deepEqual(result.config.programs.a?.command, ['node', 'a.js', '--price', '$${PRICE}']);
  assert.deepEqual(result.config.programs.a?.env, { T: '$$$x' });
});

test('names a JSON syntax error by file, line and column', () => {
  assert.throws(
    () =>
      importTemp(
        'ecosystem.json',
        '{\n  "apps": [\n    { "script": "a.js" }\n    { "script": "b.js" }\n  ]\n}',
      ),
    {
      name: 'ConfigError',
      message: /ecosystem\.json:4:5: /,
    },
  );
});

test('names a JavaScript syntax error by file and line', () => {
  assert.throws(
    () => importTemp('ecosystem.config.cjs', 'module.exports = {\n  apps: [\n    { script: "a.js" ]\n};\n'),
    {
      name: 'ConfigError',
      message: /ecosystem\.config\.cjs:3: /,
    },
  );
});

test('an error thrown while the file runs names its line', () => {
  assert.throws(
    () => importTemp('ecosystem.config.cjs', "const x = 1;\nthrow new Error('no config for you');\n"),
    {
      name: 'ConfigError',
      message: /ecosystem\.config\.cjs:2: no config for you$/,
    },
  );
});

test('an app without a script, or a file without apps, is an error', () => {
  assert.throws(() => importTemp('e.json', '{ "apps": [{ "name": "x" }] }'), {
    name: 'ConfigError',
    message: /e\.json: apps\[0\] \(x\): script: missing/,
  });
  assert.throws(() => importTemp('e.json', '{ "deploy": {} }'), {
    name: 'ConfigError',
    message: /no apps found/,
  });
  assert.throws(() => importTemp('e.json', '{ "apps": [{ "script": "a.js", "instances": "lots" }] }'), {
    name: 'ConfigError',
    message: /instances: expected a number or "max"/,
  });
});

test('maps instances like pm2: 0 and "max" are all CPUs, -1 is noted', () => {
  const result = importTemp(
    'e.json',
    '{ "apps": [{ "name": "a", "script": "a.js", "instances": 0 }, { "name": "b", "script": "b.js", "instances": -1, "exec_mode": "fork" }] }',
  );
  assert.equal(result.config.programs.a?.instances, 'max');
  assert.equal(result.config.programs.b?.instances, 'max');
  assert.deepEqual(optionsOf(result), [
    ['a', 'exec_mode'],
    ['b', 'instances'],
  ]);
});

test('an unknown option is noted, a harmless one is not', () => {
  const result = importTemp(
    'e.json',
    '{ "apps": [{ "name": "a", "script": "a.js", "watch": false, "vizion": false, "colour": "blue" }] }',
  );
  assert.deepEqual(result.notes, [
    { program: 'a', option: 'colour', reason: 'not a pm2 option tend knows; ignored' },
  ]);
});

test('wait_ready becomes ready: notify within listen_timeout; a user this machine lacks is noted', () => {
  const result = importPm2(
    JSON.stringify({
      apps: [
        { name: 'a', script: 'a.js', wait_ready: true, listen_timeout: 3000, user: 'no-such-user-here' },
        { name: 'b', script: 'b.js', listen_timeout: 3000, user: 'root' },
      ],
    }),
    '/srv/ecosystem.json',
  );
  assert.equal(result.config.programs.a?.ready, 'notify');
  assert.equal(result.config.programs.a?.startTimeout, '3s');
  assert.equal(result.config.programs.b?.ready, undefined);
  assert.deepEqual(
    getMissingAccountNotes(result.config).map((note) => [note.program, note.option]),
    [['a', 'user']],
  );
});
