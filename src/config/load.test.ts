// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is tend interpolation, not a template
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { findConfigFile, loadConfig } from './load.js';
import { programInputSchema } from './program-schema.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/config/', import.meta.url)).replace(/\/$/, '');
const temporary = mkdtempSync(join(tmpdir(), 'tend-load-'));
after(() => rmSync(temporary, { recursive: true, force: true }));

const load = (file: string, env: Record<string, string> = {}) => loadConfig({ file, cwd: FIXTURES, env });

/** The ConfigError's message, one problem per line. */
async function getErrorLines(file: string, env: Record<string, string> = {}): Promise<string[]> {
  try {
    await load(file, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.code, 'BAD_CONFIG');
    return error.message.split('\n');
  }
  assert.fail(`${file} loaded without an error`);
}

describe('loadConfig: loaders', () => {
  test('loads tend.yaml with defaults, instances, envFile, interpolation and logs', async () => {
    const config = await load('full/tend.yaml', { DATABASE_URL: 'postgres://db.internal/prod' });
    const dir = join(FIXTURES, 'full');
    assert.equal(config.path, join(dir, 'tend.yaml'));
    assert.equal(config.dir, dir);
    const cpus = availableParallelism();
    const workers = Array.from({ length: cpus }, (_, i) => (cpus === 1 ? 'worker' : `worker-${i}`));
    assert.deepEqual(
      config.programs.map((program) => program.name),
      ['api-0', 'api-1', ...workers, 'db'],
    );
    assert.deepEqual(config.order, ['db', 'api', 'worker']);

    const api = config.programs[1];
    assert.deepEqual(api, {
      name: 'api-1',
      command: 'node server.js',
      cwd: join(dir, 'api'),
      env: {
        PORT: '3000',
        API_KEY: 'secret',
        LOG_LEVEL: 'debug',
        NODE_ENV: 'production',
        DB_URL: 'postgres://db.internal/prod',
        PRICE: '$5',
        TEND_INSTANCE: '1',
      },
      restart: 'on-failure',
      restartDelay: '1s',
      backoff: { initial: '250ms', multiplier: 2, max: '30s', resetAfter: '10s' },
      giveUp: { failures: 5, within: '1m' },
      stopSignal: 'INT',
      stopTimeout: '20s',
      logs: {
        maxSize: '5MB',
        keep: 3,
        out: join(dir, 'logs/api-1.log'),
        err: join(dir, 'logs/api-errors-1'),
        timestamps: true,
      },
      source: join(dir, 'tend.yaml'),
      instanceOf: 'api',
      instance: 1,
      offsetEnv: ['PORT'],
      dependsOn: ['db'],
      autostart: true,
      user: null,
      group: null,
      umask: null,
    });
    const worker = config.programs.find((program) => program.instanceOf === 'worker');
    assert.deepEqual(worker?.command, ['node', 'worker.js', '--queue', 'default']);
    assert.equal(worker?.autostart, false);
    assert.equal(worker?.umask, '022');
    const db = config.programs.at(-1);
    assert.equal(db?.restart, 'always');
    assert.deepEqual(db?.logs, { maxSize: '5MB', keep: 3, out: 'console', err: '/dev/null' });
    assert.deepEqual([db?.user, db?.group, db?.instance], ['postgres', 'postgres', 0]);
  });

  test('every expanded program is a valid POST /v1/programs body', async () => {
    const config = await load('full/tend.yaml');
    for (const program of config.programs)
      assert.ok(programInputSchema.safeParse(program).success, program.name);
    assert.equal(config.programs[0]?.env.DB_URL, 'postgres://localhost/app');
  });

  test('loads tend.yml', async () => {
    const config = await loadConfig({ cwd: join(FIXTURES, 'yml'), env: {} });
    assert.equal(config.path, join(FIXTURES, 'yml', 'tend.yml'));
    assert.deepEqual(config.programs[0]?.command, ['python3', '-m', 'http.server', '8000']);
  });

  test('loads tend.json', async () => {
    const config = await loadConfig({ cwd: join(FIXTURES, 'json'), env: { PORT: '9000' } });
    assert.deepEqual(
      config.programs.map((program) => [program.name, program.stopTimeout]),
      [
        ['web', '5s'],
        ['jobs-0', '5s'],
        ['jobs-1', '5s'],
        ['jobs-2', '5s'],
      ],
    );
    assert.equal(config.programs[0]?.env.PORT, '9000');
    assert.deepEqual(config.order, ['web', 'jobs']);
  });

  test('loads tend.config.ts', async () => {
    const config = await loadConfig({ cwd: join(FIXTURES, 'ts'), env: {} });
    assert.equal(config.path, join(FIXTURES, 'ts', 'tend.config.ts'));
    const api = config.programs[0];
    assert.equal(api?.instanceOf, 'api');
    assert.deepEqual(api?.env, { NODE_ENV: 'production', PORT: '3000', HOST: '0.0.0.0', TEND_INSTANCE: '0' });
    assert.deepEqual(config.order, ['api', 'worker']);
  });

  test('loads tend.config.js', async () => {
    const config = await loadConfig({ cwd: join(FIXTURES, 'js'), env: {} });
    assert.deepEqual(config.programs[0]?.env, { REGION: 'eu-west-1', TEND_INSTANCE: '0' });
    assert.equal(config.programs[0]?.command, 'while true; do date; sleep 60; done');
  });

  test('searches up from a subdirectory, and -f overrides the search', async () => {
    const dir = join(temporary, 'project');
    mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'tend.yaml'), 'programs:\n  api: { command: node a.js, cwd: src }\n');
    writeFileSync(join(dir, 'other.yaml'), 'programs:\n  other: { command: node b.js }\n');
    const found = await loadConfig({ cwd: join(dir, 'src', 'deep'), env: {} });
    assert.equal(found.path, join(dir, 'tend.yaml'));
    assert.equal(found.programs[0]?.cwd, join(dir, 'src'));
    const chosen = await loadConfig({ file: '../../other.yaml', cwd: join(dir, 'src', 'deep'), env: {} });
    assert.deepEqual(chosen.order, ['other']);
    assert.equal(await findConfigFile({ cwd: join(dir, 'src') }), join(dir, 'tend.yaml'));
  });

  test('the example in examples/ loads', async () => {
    const file = fileURLToPath(new URL('../../examples/tend.yaml', import.meta.url));
    const config = await loadConfig({ file, cwd: FIXTURES, env: {} });
    assert.deepEqual(config.order, ['api', 'worker', 'ticker']);
    assert.deepEqual(
      config.programs.map((program) => program.name),
      ['api-0', 'api-1', 'worker', 'ticker'],
    );
  });

  test('an empty programs map loads as nothing to run', async () => {
    const file = join(temporary, 'empty.yaml');
    writeFileSync(file, 'programs: {}\n');
    assert.deepEqual((await loadConfig({ file, cwd: temporary, env: {} })).programs, []);
  });
});

describe('loadConfig: errors name the file, line, column, key, expectation and finding', () => {
  test('wrong types', async () => {
    assert.deepEqual(await getErrorLines('errors/wrong-type.yaml'), [
      'errors/wrong-type.yaml:4:16: programs.api.instances: expected a whole number ≥ 1 or "max", found "two"',
      'errors/wrong-type.yaml:5:16: programs.api.autostart: expected true or false, found "yes"',
      'errors/wrong-type.yaml:7:13: programs.api.env.PORT: expected a string (quote numbers and booleans: "3000"), found 3000',
    ]);
  });

  test('unknown keys, with a did-you-mean when one is close', async () => {
    assert.deepEqual(await getErrorLines('errors/unknown-key.yaml'), [
      'errors/unknown-key.yaml:4:5: programs.api.restartDelya: expected a known key, found "restartDelya" (did you mean "restartDelay"?)',
      'errors/unknown-key.yaml:6:7: programs.api.logs.rotatedaily: expected a known key, found "rotatedaily" (did you mean "rotateDaily"?)',
      `errors/unknown-key.yaml:7:5: programs.api.frobnicate: expected one of ${[
        'cwd, instances, offsetEnv, env, envFile, autostart, restart, onExit, successExitCodes, restartDelay, backoff,',
        'giveUp, startSecs, ready, readyFd, startTimeout, watchdog, stopSignal, stopTimeout, reloadSignal, user, group, umask, logs, limits, command, dependsOn, checks, sockets, pidFile, activation, idleStop',
      ].join(' ')}, found "frobnicate"`,
    ]);
  });

  test('a bad duration', async () => {
    assert.deepEqual(await getErrorLines('errors/bad-duration.yaml'), [
      'errors/bad-duration.yaml:4:18: programs.api.stopTimeout: expected a duration like 500ms, 10s or 2m, found "10 seconds"',
    ]);
  });

  test('a bad enum value', async () => {
    assert.deepEqual(await getErrorLines('errors/bad-enum.yaml'), [
      'errors/bad-enum.yaml:4:14: programs.api.restart: expected one of always, on-failure, never, found "sometimes"',
    ]);
  });

  test('a dependsOn naming an unknown program', async () => {
    assert.deepEqual(await getErrorLines('errors/bad-depends.yaml'), [
      'errors/bad-depends.yaml:6:21: programs.api.dependsOn[1]: expected the name of a program in this file (db, api), found "dbb" (did you mean "db"?)',
    ]);
  });

  test('a dependency cycle, named', async () => {
    assert.deepEqual(await getErrorLines('errors/cycle.yaml'), [
      'errors/cycle.yaml:6:16: programs.api.dependsOn: expected no dependency cycle, found api → worker → api',
    ]);
  });

  test('a YAML syntax error', async () => {
    const [line, ...rest] = await getErrorLines('errors/syntax.yaml');
    assert.match(line ?? '', /^errors\/syntax\.yaml:\d+:\d+: YAML syntax error: \S/);
    assert.ok(rest.every((other) => /^errors\/syntax\.yaml:\d+:\d+: /.test(other)));
  });

  test('an unset variable without a default', async () => {
    assert.deepEqual(await getErrorLines('errors/unset-var.yaml'), [
      'errors/unset-var.yaml:5:15: programs.api.env.DB_URL: expected the environment variable DATABASE_URL to be set (or a default: ${DATABASE_URL:-value}), found it unset',
    ]);
    await assert.doesNotReject(load('errors/unset-var.yaml', { DATABASE_URL: 'x' }));
  });

  test('an unset variable is reported once, not again by the checks that follow', async () => {
    const file = join(temporary, 'unset-port.yaml');
    writeFileSync(
      file,
      'programs:\n  api:\n    command: x\n    instances: 2\n    offsetEnv: [PORT]\n    env: { PORT: "${PORT}" }\n',
    );
    await assert.rejects(loadConfig({ file, cwd: temporary, env: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        /^unset-port\.yaml:6:18: programs\.api\.env\.PORT: expected the environment variable PORT/,
      );
      assert.equal(error.message.split('\n').length, 1);
      return true;
    });
  });

  test('every problem of a file, one per line, in file order', async () => {
    assert.deepEqual(await getErrorLines('errors/many.yaml'), [
      'errors/many.yaml:2:3: defaults.command: expected a key allowed in defaults, found "command" (it can only be set on each program)',
      'errors/many.yaml:6:14: programs.api.restart: expected one of always, on-failure, never, found "sometimes"',
      'errors/many.yaml:7:18: programs.api.stopTimeout: expected a duration like 500ms, 10s or 2m, found "soon"',
      'errors/many.yaml:8:3: programs.worker.command: expected a command: a string, or a list of strings (argv) whose first is not empty, found nothing',
      'errors/many.yaml:9:5: programs.worker.comand: expected a known key, found "comand" (did you mean "command"?)',
      'errors/many.yaml:10:17: programs.worker.dependsOn[0]: expected the name of a program in this file (api, worker), found "apii" (did you mean "api"?)',
    ]);
  });

  test('a missing env file', async () => {
    const lines = await getErrorLines('errors/missing-env-file.yaml');
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      /^errors\/missing-env-file\.yaml:4:32: programs\.api\.envFile\[1\]: expected a readable dotenv file, found ".*\/errors\/missing\.env" \(no such file\)$/,
    );
  });

  test('names taken twice or not allowed', async () => {
    assert.deepEqual(await getErrorLines('errors/names.yaml'), [
      'errors/names.yaml:5:3: programs.api-1: expected a unique program name, found "api-1" twice (api and api-1)',
      'errors/names.yaml:7:3: programs.all: expected a program name of letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters, not "all", found "all"',
    ]);
  });

  test('JSON files have positions too', async () => {
    assert.deepEqual(await getErrorLines('errors/bad.json'), [
      'errors/bad.json:5:18: programs.api.restart: expected one of always, on-failure, never, found "sometimes"',
    ]);
  });

  test('TypeScript configs name the file and key, without positions', async () => {
    assert.deepEqual(await getErrorLines('errors/bad.config.ts'), [
      'errors/bad.config.ts: programs.api.restart: expected one of always, on-failure, never, found "sometimes"',
    ]);
  });

  test('a TypeScript syntax error has its position', async () => {
    const file = join(temporary, 'broken.config.ts');
    writeFileSync(file, "export default {\n  programs: {\n    api: { command: 'x' ,,\n  },\n};\n");
    await assert.rejects(
      loadConfig({ file, cwd: temporary, env: {} }),
      (error: unknown) => error instanceof ConfigError && /^broken\.config\.ts:3:\d+: \S/.test(error.message),
    );
  });

  test('a file outside the working directory is named by its absolute path', async () => {
    await assert.rejects(
      loadConfig({ file: join(FIXTURES, 'errors', 'bad-enum.yaml'), cwd: temporary, env: {} }),
      (error: unknown) =>
        error instanceof Error && error.message.startsWith(`${FIXTURES}/errors/bad-enum.yaml:4:14: `),
    );
  });

  test('no config file found', async () => {
    const dir = join(temporary, 'nothing-here');
    mkdirSync(dir);
    await assert.rejects(loadConfig({ cwd: dir, env: {} }), (error: unknown) => {
      return (
        error instanceof ConfigError && error.message.startsWith('No config file found: looked for tend.yaml')
      );
    });
  });
});
