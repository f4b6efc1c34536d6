import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ExpandContext, expandPrograms } from './expand.js';
import { configFileSchema } from './file-schema.js';
import type { Path, Problem } from './problems.js';

const ENV_FILES: Record<string, Record<string, string>> = {
  '.env': { FROM_FILE: 'yes', SHARED: 'file' },
  'defaults.env': { FROM_DEFAULTS_FILE: 'yes', SHARED: 'defaults-file' },
};

const context: ExpandContext = {
  file: '/srv/app/tend.yaml',
  dir: '/srv/app',
  cpus: 3,
  readEnvFile: (file: string, path: Path, problems: Problem[]) => {
    const env = ENV_FILES[file];
    if (!env) problems.push({ path, message: `missing ${file}` });
    return env ?? {};
  },
};

function expand(config: unknown, problems: Problem[] = []) {
  return expandPrograms(configFileSchema.parse(config), context, problems);
}

describe('expandPrograms', () => {
  test('a single program keeps its name and gets every file field', () => {
    const [api] = expand({ programs: { api: { command: 'node server.js' } } });
    assert.deepEqual(api, {
      name: 'api',
      command: 'node server.js',
      cwd: '/srv/app',
      env: { TEND_INSTANCE: '0' },
      source: '/srv/app/tend.yaml',
      instanceOf: 'api',
      instance: 0,
      offsetEnv: [],
      dependsOn: [],
      autostart: true,
      user: null,
      group: null,
      umask: null,
    });
  });

  test('instances are named NAME-0… and each knows its number', () => {
    const programs = expand({
      programs: { api: { command: 'x', instances: 2, offsetEnv: ['PORT'], env: { PORT: '3000' } } },
    });
    assert.deepEqual(
      programs.map((p) => [p.name, p.instanceOf, p.instance, p.env.TEND_INSTANCE, p.env.PORT]),
      [
        ['api-0', 'api', 0, '0', '3000'],
        ['api-1', 'api', 1, '1', '3000'],
      ],
    );
  });

  test('instances: max runs one per CPU', () => {
    assert.deepEqual(
      expand({ programs: { w: { command: 'x', instances: 'max' } } }).map((p) => p.name),
      ['w-0', 'w-1', 'w-2'],
    );
  });

  test('defaults go under every program: program keys win, env and logs merge key by key', () => {
    const [api] = expand({
      defaults: {
        restart: 'on-failure',
        stopTimeout: '5s',
        backoff: { initial: '1s' },
        env: { NODE_ENV: 'production', LEVEL: 'info' },
        logs: { keep: 3, out: 'logs/default.log' },
      },
      programs: {
        api: {
          command: 'x',
          stopTimeout: '20s',
          backoff: { max: '1m' },
          env: { LEVEL: 'debug' },
          logs: { timestamps: true },
        },
      },
    });
    assert.equal(api?.restart, 'on-failure');
    assert.equal(api?.stopTimeout, '20s');
    assert.deepEqual(api?.backoff, { max: '1m' });
    assert.deepEqual(api?.env, { NODE_ENV: 'production', LEVEL: 'debug', TEND_INSTANCE: '0' });
    assert.deepEqual(api?.logs, { keep: 3, out: '/srv/app/logs/default.log', timestamps: true });
  });

  test('env layers: defaults envFile, defaults env, program envFile, program env', () => {
    const [withOwnFile, withDefaultFile] = expand({
      defaults: { envFile: 'defaults.env', env: { SHARED: 'defaults-env', D: '1' } },
      programs: {
        a: { command: 'x', envFile: '.env', env: { P: '1' } },
        b: { command: 'x', env: { SHARED: 'program-env' } },
      },
    });
    assert.deepEqual(withOwnFile?.env, {
      SHARED: 'file',
      D: '1',
      FROM_FILE: 'yes',
      P: '1',
      TEND_INSTANCE: '0',
    });
    assert.deepEqual(withDefaultFile?.env, {
      FROM_DEFAULTS_FILE: 'yes',
      SHARED: 'program-env',
      D: '1',
      TEND_INSTANCE: '0',
    });
  });

  test('cwd and log paths resolve against the config directory', () => {
    const [api] = expand({
      programs: {
        api: { command: 'x', cwd: 'api', logs: { out: './logs/api.log', err: '/var/log/api.err' } },
      },
    });
    assert.equal(api?.cwd, '/srv/app/api');
    assert.deepEqual(api?.logs, { out: '/srv/app/logs/api.log', err: '/var/log/api.err' });
    const [abs] = expand({
      programs: { a: { command: 'x', cwd: '/opt/a', logs: { out: 'console', err: '/dev/null' } } },
    });
    assert.equal(abs?.cwd, '/opt/a');
    assert.deepEqual(abs?.logs, { out: 'console', err: '/dev/null' });
  });

  test('each instance writes its own log file', () => {
    const programs = expand({
      programs: { api: { command: 'x', instances: 2, logs: { out: 'logs/api.log', err: 'logs/api' } } },
    });
    assert.deepEqual(
      programs.map((p) => p.logs),
      [
        { out: '/srv/app/logs/api-0.log', err: '/srv/app/logs/api-0' },
        { out: '/srv/app/logs/api-1.log', err: '/srv/app/logs/api-1' },
      ],
    );
  });

  test('keeps policies as written and leaves offsets to the daemon', () => {
    const [api] = expand({
      programs: {
        api: {
          command: ['node', 'a.js'],
          restart: 'never',
          successExitCodes: [0, 2],
          restartDelay: '1s',
          giveUp: null,
          startSecs: 500,
          stopSignal: 'INT',
          dependsOn: ['db'],
          autostart: false,
          user: 'www',
          group: 'www',
          umask: '077',
        },
        db: { command: 'x' },
      },
    });
    assert.deepEqual(
      { ...api, env: undefined },
      {
        name: 'api',
        command: ['node', 'a.js'],
        cwd: '/srv/app',
        env: undefined,
        restart: 'never',
        successExitCodes: [0, 2],
        restartDelay: '1s',
        giveUp: null,
        startSecs: 500,
        stopSignal: 'INT',
        source: '/srv/app/tend.yaml',
        instanceOf: 'api',
        instance: 0,
        offsetEnv: [],
        dependsOn: ['db'],
        autostart: false,
        user: 'www',
        group: 'www',
        umask: '077',
      },
    );
  });

  test('an offsetEnv variable that is not an integer is a problem', () => {
    const problems: Problem[] = [];
    expand(
      { programs: { api: { command: 'x', offsetEnv: ['HOST', 'PORT'], env: { PORT: 'abc' } } } },
      problems,
    );
    assert.deepEqual(problems, [
      { path: ['programs', 'api', 'offsetEnv', 1], message: 'expected PORT to hold an integer, found "abc"' },
    ]);
  });

  test('an instance name taken by another program is a problem', () => {
    const problems: Problem[] = [];
    expand({ programs: { api: { command: 'x', instances: 2 }, 'api-1': { command: 'y' } } }, problems);
    assert.deepEqual(problems, [
      {
        path: ['programs', 'api-1'],
        at: 'key',
        message: 'expected a unique program name, found "api-1" twice (api and api-1)',
      },
    ]);
  });

  test('a missing env file is a problem at its key', () => {
    const problems: Problem[] = [];
    expand({ defaults: { envFile: 'nope.env' }, programs: { a: { command: 'x' } } }, problems);
    assert.deepEqual(problems, [{ path: ['defaults', 'envFile'], message: 'missing nope.env' }]);
  });
});
