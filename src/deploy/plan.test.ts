import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ProgramSpec, programInputSchema } from '../config/program-schema.js';
import type { ProgramSnapshot, State } from '../program-record.js';
import { getStartOrder } from './apply.js';
import { computePlan, ForeignProgramError, getChangedKeys, withDependencies } from './plan.js';

const SOURCE = '/srv/app/tend.yaml';

function spec(name: string, extra: Record<string, unknown> = {}): ProgramSpec {
  const parsed = programInputSchema.parse({
    name,
    command: ['node', `${name}.js`],
    source: SOURCE,
    ...extra,
  });
  return { ...parsed, cwd: '/srv/app' };
}

function snapshot(programSpec: ProgramSpec, state: State = 'running'): ProgramSnapshot {
  return {
    spec: programSpec,
    state,
    desired: 'running',
    runtime: { pid: state === 'running' ? 100 : null, pgid: null, procStartTime: null, startedAt: null },
    restarts: 0,
    exitCode: null,
    exitSignal: null,
    reason: null,
    consecutiveFailures: 0,
    recentFailures: [],
    adopted: false,
    statusText: null,
  };
}

describe('computePlan', () => {
  test('creates what is new, keeps what is unchanged, updates what changed and removes what is gone', () => {
    const existing = [snapshot(spec('api')), snapshot(spec('worker')), snapshot(spec('old'))];
    const desired = [spec('api'), spec('worker', { env: { QUEUE: 'b' } }), spec('web')];
    const plan = computePlan(existing, desired, SOURCE, null);
    assert.deepEqual(plan.actions, [
      { action: 'unchanged', name: 'api' },
      { action: 'update', name: 'worker', changed: ['env'], start: true },
      { action: 'create', name: 'web', start: true },
      { action: 'remove', name: 'old' },
    ]);
  });

  test('starts an unchanged program that is not running, unless autostart is off', () => {
    const plan = computePlan(
      [snapshot(spec('api'), 'stopped'), snapshot(spec('job', { autostart: false }), 'stopped')],
      [spec('api'), spec('job', { autostart: false })],
      SOURCE,
      null,
    );
    assert.deepEqual(plan.actions, [
      { action: 'start', name: 'api' },
      { action: 'unchanged', name: 'job' },
    ]);
  });

  test('refuses to take over a program that another file or tend start created', () => {
    const foreign = { ...spec('api'), source: null };
    assert.throws(() => computePlan([snapshot(foreign)], [spec('api')], SOURCE, null), ForeignProgramError);
  });

  test('with a selection, touches only the selected programs and removes nothing', () => {
    const plan = computePlan([snapshot(spec('old'))], [spec('api'), spec('web')], SOURCE, new Set(['web']));
    assert.deepEqual(plan.actions, [{ action: 'create', name: 'web', start: true }]);
  });
});

describe('dependencies', () => {
  test('a selection includes what it depends on, transitively', () => {
    const desired = [
      spec('db'),
      spec('api', { dependsOn: ['db'] }),
      spec('web', { dependsOn: ['api'] }),
      spec('x'),
    ];
    assert.deepEqual([...withDependencies(desired, ['web'])].sort(), ['api', 'db', 'web']);
  });

  test('start order puts dependencies first and keeps file order otherwise', () => {
    const desired = [
      spec('web', { dependsOn: ['api'] }),
      spec('x'),
      spec('api', { dependsOn: ['db'] }),
      spec('db'),
    ];
    assert.deepEqual(getStartOrder(desired), ['x', 'db', 'api', 'web']);
  });

  test('instances of one program count as one key', () => {
    const desired = [
      spec('api-0', { instanceOf: 'api', instance: 0 }),
      spec('api-1', { instanceOf: 'api', instance: 1 }),
      spec('worker', { dependsOn: ['api'] }),
    ];
    assert.deepEqual(getStartOrder(desired), ['api', 'worker']);
  });

  test('a cycle is an error that names the programs in it', () => {
    const desired = [spec('a', { dependsOn: ['b'] }), spec('b', { dependsOn: ['a'] })];
    assert.throws(() => getStartOrder(desired), /cycle among a, b/);
  });
});

test('getChangedKeys ignores key order inside objects', () => {
  const before = spec('api', { env: { A: '1', B: '2' } });
  const after = spec('api', { env: { B: '2', A: '1' } });
  assert.deepEqual(getChangedKeys(before, after), []);
});
