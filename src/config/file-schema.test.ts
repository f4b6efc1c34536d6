import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type * as z from 'zod';
import type { TendConfig } from './define-config.js';
import { configFileSchema, getKnownKeys, PROGRAM_ONLY_KEYS } from './file-schema.js';

// The hand-written types (define-config.ts) and the runtime schema describe the same file: each is
// assignable to the other, so a key added to one and not the other fails `tsc`.
type SchemaInput = z.input<typeof configFileSchema>;
const typesFitSchema = (config: TendConfig): SchemaInput => config;
const schemaFitsTypes = (config: SchemaInput): TendConfig => config;
type ProgramKeys = keyof TendConfig['programs'][string];
type SchemaProgramKeys = keyof SchemaInput['programs'][string];
const sameProgramKeys: [ProgramKeys, SchemaProgramKeys] extends [SchemaProgramKeys, ProgramKeys]
  ? true
  : never = true;

describe('configFileSchema', () => {
  test('matches the types users write against', () => {
    assert.equal(typeof typesFitSchema, 'function');
    assert.equal(typeof schemaFitsTypes, 'function');
    assert.equal(sameProgramKeys, true);
  });

  test('accepts a minimal file', () => {
    assert.ok(configFileSchema.safeParse({ programs: { api: { command: 'node a.js' } } }).success);
    assert.ok(configFileSchema.safeParse({ programs: {} }).success);
  });

  test('accepts every key of the format', () => {
    const program = {
      command: ['node', 'a.js'],
      cwd: './api',
      instances: 'max',
      offsetEnv: ['PORT'],
      env: { PORT: '3000' },
      envFile: ['.env'],
      dependsOn: ['db'],
      autostart: false,
      restart: 'on-failure',
      successExitCodes: [0, 3],
      restartDelay: '0s',
      backoff: { initial: '250ms', multiplier: 2, max: '30s', resetAfter: '10s' },
      giveUp: { failures: 5, within: '1m' },
      startSecs: 1000,
      stopSignal: 'TERM',
      stopTimeout: '10s',
      user: 'www-data',
      group: 'www-data',
      umask: '022',
      logs: {
        out: './logs/api.log',
        err: null,
        merge: false,
        timestamps: false,
        format: 'raw',
        maxSize: '10MB',
        keep: 5,
        compress: false,
        rotateDaily: false,
      },
      limits: { memory: '512MB', cpu: 0.5, pids: 200 },
    };
    const result = configFileSchema.safeParse({
      defaults: { restart: 'always' },
      programs: { api: program },
    });
    assert.deepEqual(result.error?.issues, undefined);
  });

  test('rejects unknown keys at every level', () => {
    for (const input of [
      { programs: {}, extra: 1 },
      { programs: { api: { command: 'x', extra: 1 } } },
      { programs: { api: { command: 'x', logs: { extra: 1 } } } },
      { programs: { api: { command: 'x', limits: { mem: '1MB' } } } },
      { defaults: { extra: 1 }, programs: {} },
    ]) {
      assert.equal(configFileSchema.safeParse(input).error?.issues[0]?.code, 'unrecognized_keys');
    }
  });

  test('rejects a number as an env value or a umask, which YAML would silently change', () => {
    assert.ok(!configFileSchema.safeParse({ programs: { a: { command: 'x', env: { V: 1.1 } } } }).success);
    assert.ok(!configFileSchema.safeParse({ programs: { a: { command: 'x', umask: 22 } } }).success);
  });
});

describe('getKnownKeys', () => {
  test('names the keys of each map', () => {
    assert.deepEqual(getKnownKeys([]), ['defaults', 'programs']);
    assert.ok(getKnownKeys(['programs', 'api']).includes('command'));
    assert.ok(!getKnownKeys(['defaults']).includes('command'));
    assert.deepEqual(getKnownKeys(['programs', 'api', 'backoff']), [
      'initial',
      'multiplier',
      'max',
      'resetAfter',
    ]);
    assert.deepEqual(getKnownKeys(['programs', 'api', 'env']), []);
  });

  test('command, dependsOn and checks belong to programs only', () => {
    assert.deepEqual(PROGRAM_ONLY_KEYS, [
      'command',
      'dependsOn',
      'checks',
      'sockets',
      'pidFile',
      'activation',
      'idleStop',
    ]);
  });
});
