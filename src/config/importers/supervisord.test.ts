// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is tend interpolation, not a template
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readIncludedFiles } from './include-files.js';
import { importSupervisord } from './supervisord.js';
import type { ImportResult } from './types.js';

const FIXTURES = new URL('../../../test/fixtures/import/supervisord/', import.meta.url).pathname;
const CONF = join(FIXTURES, 'supervisord.conf');

const importFixture = (readInclude = readIncludedFiles) =>
  importSupervisord(readFileSync(CONF, 'utf8'), CONF, { readInclude, hostname: 'web1' });
const importText = (text: string) =>
  importSupervisord(text, '/etc/supervisor/test.conf', { hostname: 'web1' });
const optionsOf = (result: ImportResult) => result.notes.map((note) => [note.program, note.option]);
const GUNICORN = '/srv/acme/venv/bin/gunicorn';
const CELERY = '/srv/acme/venv/bin/celery';

test('imports every [program:x] of a realistic supervisord.conf and its included files', () => {
  const { config } = importFixture();
  assert.deepEqual(config.defaults, { env: { LANG: 'en_US.UTF-8', TZ: 'UTC' } });
  assert.deepEqual(Object.keys(config.programs), [
    'redis',
    'api-00',
    'api-01',
    'celery',
    'celerybeat',
    'flower',
  ]);
  assert.deepEqual(config.programs.redis, {
    command: ['/usr/bin/redis-server', '/etc/redis/redis.conf', '--daemonize', 'no'],
    restart: 'always',
    backoff: { resetAfter: '1s' },
    giveUp: { failures: 4, within: '3m' },
    user: 'redis',
    logs: { out: '/var/log/redis/redis-server.log', merge: true, maxSize: '100MB', keep: 3 },
  });
  assert.deepEqual(config.programs['api-01'], {
    command: [
      GUNICORN,
      'acme.wsgi:application',
      '--bind',
      '127.0.0.1:8001',
      '--workers',
      '3',
      '--access-logfile',
      '-',
    ],
    cwd: '/srv/acme',
    env: {
      DJANGO_SETTINGS_MODULE: 'acme.settings.production',
      PYTHONPATH: '/srv/acme',
      SECRET_KEY: '${ACME_SECRET_KEY}',
    },
    dependsOn: ['redis'],
    restart: 'on-failure',
    backoff: { resetAfter: '5s' },
    giveUp: { failures: 6, within: '4m' },
    startSecs: '5s',
    stopTimeout: '30s',
    user: 'acme',
    logs: { out: '/var/log/acme/api-01.log', err: '/var/log/acme/api-01.err.log', maxSize: '50MB', keep: 10 },
  });
  assert.deepEqual(config.programs.celery, {
    command: [CELERY, '-A', 'acme', 'worker', '--loglevel=INFO', '-n', 'worker@%h', '--concurrency=4'],
    cwd: '/srv/acme',
    instances: 3,
    env: { C_FORCE_ROOT: 'false', BROKER_URL: 'redis://localhost:6379/1' },
    dependsOn: ['api-00', 'api-01'],
    restart: 'on-failure',
    successExitCodes: [0, 2],
    backoff: { resetAfter: '1s' },
    giveUp: { failures: 4, within: '3m' },
    stopSignal: 'TERM',
    stopTimeout: '10m',
    user: 'acme',
    umask: '002',
    logs: { err: '/dev/null' },
  });
  assert.deepEqual(config.programs.celerybeat, {
    command: [CELERY, '-A', 'acme', 'beat', `--schedule=${FIXTURES}celerybeat-schedule`, '--loglevel=INFO'],
    cwd: '/srv/acme',
    autostart: false,
    restart: 'never',
    startSecs: '0s',
    user: 'acme',
  });
  assert.deepEqual(config.programs.flower?.dependsOn, ['celery']);
  assert.deepEqual(config.programs.flower?.logs, {
    out: '/var/log/acme/flower.log',
    err: '/var/log/acme/flower.err.log',
  });
});

test('notes every section and option it drops or approximates', () => {
  const result = importFixture();
  assert.deepEqual(optionsOf(result), [
    [null, '[supervisord]'],
    [null, '[eventlistener:crashmail]'],
    [null, '[unix_http_server] [rpcinterface:supervisor] [supervisorctl]'],
    [null, '[group:acme]'],
    [null, '%(ENV_ACME_SECRET_KEY)s'],
    [null, 'stopasgroup'],
    [null, 'directory'],
    [null, 'user'],
    ['api-00', 'stderr_logfile_maxbytes'],
    ['api-00', 'numprocs'],
    ['api-00', 'priority'],
    ['api-01', 'stderr_logfile_maxbytes'],
    ['api-01', 'priority'],
    ['celery', 'stopasgroup'],
    ['celery', 'numprocs'],
    ['celery', 'priority'],
    ['celerybeat', 'stdout_logfile'],
    ['celerybeat', 'stdout_events_enabled'],
    ['flower', 'priority'],
  ]);
  const reason = (program: string | null, option: string) =>
    result.notes.find((note) => note.program === program && note.option === option)?.reason ?? '';
  assert.match(reason(null, '[group:acme]'), /api-00, api-01, celery are separate programs/);
  assert.match(reason(null, 'stopasgroup'), /^redis, celerybeat, flower: /);
  assert.match(reason('celery', 'numprocs'), /celery-0…celery-2 \(supervisord: celery_0…celery_2\)/);
  assert.match(reason('api-00', 'numprocs'), /separate programs: api-00, api-01/);
});

test('without a file reader, [include] is a note', () => {
  const result = importSupervisord(readFileSync(CONF, 'utf8'), CONF, { hostname: 'web1' });
  assert.equal(result.config.programs.flower, undefined);
  assert.deepEqual(
    result.notes.find((note) => note.option === '[include]'),
    { program: null, option: '[include]', reason: 'conf.d/*.conf not read; import those files too' },
  );
});

test('applies supervisord defaults that differ from tend’s: restart on-failure, give up after 4 failed starts', () => {
  const { config } = importText('[program:a]\ncommand=/bin/a\n');
  assert.deepEqual(config.programs.a, {
    command: ['/bin/a'],
    restart: 'on-failure',
    backoff: { resetAfter: '1s' },
    giveUp: { failures: 4, within: '3m' },
  });
});

test('expands %(here)s, %(program_name)s, %(host_node_name)s and %%', () => {
  const { config, notes } = importText(
    '[program:echo]\ncommand=/bin/echo %(program_name)s@%(host_node_name)s 100%% %(here)s\nautorestart=false\n',
  );
  assert.deepEqual(config.programs.echo?.command, ['/bin/echo', 'echo@web1', '100%', '/etc/supervisor']);
  assert.deepEqual(optionsOf({ config, notes }), [
    [null, '%(host_node_name)s'],
    [null, 'stopasgroup'],
    [null, 'directory'],
  ]);
});

test('numprocs without %(process_num) in the values becomes instances', () => {
  const { config } = importText(
    '[program:w]\ncommand=/bin/w\nprocess_name=%(program_name)s_%(process_num)s\nnumprocs=4\n',
  );
  assert.equal(config.programs.w?.instances, 4);
});

test('priority levels become dependsOn on the level before, skipping one-shots and programs not started', () => {
  const { config } = importText(
    [
      '[program:db]\ncommand=/bin/db\npriority=1',
      '[program:migrate]\ncommand=/bin/migrate\npriority=2\nautorestart=false',
      '[program:manual]\ncommand=/bin/manual\npriority=2\nautostart=false',
      '[program:web]\ncommand=/bin/web\npriority=3',
      '[program:cron]\ncommand=/bin/cron',
    ].join('\n'),
  );
  assert.equal(config.programs.db?.dependsOn, undefined);
  assert.deepEqual(config.programs.migrate?.dependsOn, ['db']);
  assert.equal(config.programs.manual?.dependsOn, undefined);
  assert.deepEqual(config.programs.web?.dependsOn, ['db']);
  assert.deepEqual(config.programs.cron?.dependsOn, ['web']);
});

test('equal priorities add no dependsOn', () => {
  const { config, notes } = importText(
    '[program:a]\ncommand=/bin/a\n[program:b]\ncommand=/bin/b\npriority=999\n',
  );
  assert.equal(config.programs.b?.dependsOn, undefined);
  assert.ok(!notes.some((note) => note.option === 'priority'));
});

test('renames programs whose names tend does not accept', () => {
  const { config, notes } = importText('[program:all]\ncommand=/bin/a\n[program:web app]\ncommand=/bin/b\n');
  assert.deepEqual(Object.keys(config.programs), ['all-program', 'web-app']);
  assert.deepEqual(
    notes.filter((note) => note.option === 'name').map((note) => note.program),
    ['all-program', 'web-app'],
  );
});

test('a bad value names the file, line, section and key', () => {
  const cases: [string, RegExp][] = [
    [
      '[program:a]\ncommand=/bin/a\nautorestart=sometimes\n',
      /test\.conf:3: \[program:a\] autorestart: expected true, false or unexpected, got "sometimes"/,
    ],
    [
      '[program:a]\n\ncommand=/bin/a\nstopsignal=NOPE\n',
      /test\.conf:4: \[program:a\] stopsignal: expected a signal like TERM, got "NOPE"/,
    ],
    ['[program:a]\nuser=x\n', /test\.conf:1: \[program:a\] command: missing/],
    ['[program:a]\ncommand=/bin/a "oops\n', /test\.conf:2: \[program:a\] command: unclosed double quote/],
    [
      '[program:a]\ncommand=/bin/a %(nope)s\n',
      /test\.conf:2: \[program:a\] command: %\(nope\)s cannot be expanded/,
    ],
    [
      '[program:a]\ncommand=/bin/a\nenvironment=JUSTAWORD\n',
      /test\.conf:3: \[program:a\] environment: expected KEY="value"/,
    ],
    [
      '[program:a]\ncommand=/bin/a\nnumprocs=0\n',
      /test\.conf:3: \[program:a\] numprocs: expected at least 1/,
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => importText(text), { name: 'ConfigError', message });
  }
});
