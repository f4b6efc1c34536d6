import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ProgramSpec, programInputSchema } from '../config/program-schema.js';
import type { ProgramSnapshot } from '../program-record.js';
import { toDetailView } from './views.js';

// `tend show` means every setting: each key of a program's spec has its place in the detail view
// (a new key that is left out fails the type check here, and this test).

const VIEW_KEY: Record<keyof ProgramSpec, string> = {
  name: 'name',
  command: 'command',
  cwd: 'cwd',
  env: 'env',
  restart: 'restart',
  successExitCodes: 'successExitCodes',
  restartDelay: 'restartDelayMs',
  backoff: 'backoff',
  giveUp: 'giveUp',
  startSecs: 'startSecsMs',
  ready: 'ready',
  readyFd: 'readyFd',
  startTimeout: 'startTimeoutMs',
  watchdog: 'watchdogMs',
  stopSignal: 'stopSignal',
  stopTimeout: 'stopTimeoutMs',
  logs: 'logs',
  source: 'source',
  instanceOf: 'instanceOf',
  instance: 'instance',
  offsetEnv: 'offsetEnv',
  dependsOn: 'dependsOn',
  autostart: 'autostart',
  user: 'user',
  group: 'group',
  umask: 'umask',
  onExit: 'onExit',
  checks: 'checks',
  sockets: 'sockets',
  limits: 'limits',
  reloadSignal: 'reloadSignal',
  pidFile: 'pidFile',
  activation: 'activation',
  idleStop: 'idleStopMs',
};

const LOG_VIEW_KEY: Record<keyof ProgramSpec['logs'], string> = {
  out: 'out',
  err: 'err',
  merge: 'merge',
  timestamps: 'timestamps',
  format: 'format',
  maxSize: 'maxSizeBytes',
  keep: 'keep',
  compress: 'compress',
  rotateDaily: 'rotateDaily',
};

test('the detail view carries every setting of the spec, environment values masked', () => {
  const spec = {
    ...programInputSchema.parse({
      name: 'web',
      command: ['redis-server', '--save', ''],
      env: { SECRET: 'hunter2' },
      ready: 'notify',
      startTimeout: '5s',
      watchdog: '2s',
      user: 'nobody',
      umask: '077',
      logs: { maxSize: '1MB', keep: 2, compress: true, timestamps: true },
    }),
    cwd: '/srv',
  };
  const snapshot = {
    spec,
    state: 'stopped',
    desired: 'stopped',
    runtime: { pid: null, pgid: null, procStartTime: null, startedAt: null },
    restarts: 0,
    exitCode: null,
    exitSignal: null,
    reason: null,
    consecutiveFailures: 0,
    recentFailures: [],
    adopted: false,
    statusText: null,
  } satisfies ProgramSnapshot;
  const view = toDetailView(snapshot, 0, { out: '/o', err: '/e', faults: [] }, false) as unknown as Record<
    string,
    unknown
  >;
  for (const key of Object.keys(spec) as (keyof ProgramSpec)[]) {
    assert.ok(VIEW_KEY[key] in view, `spec key "${key}" is shown as "${VIEW_KEY[key]}"`);
  }
  const logs = view.logs as Record<string, unknown>;
  for (const key of Object.keys(spec.logs) as (keyof ProgramSpec['logs'])[]) {
    assert.ok(LOG_VIEW_KEY[key] in logs, `logs.${key} is shown`);
  }
  assert.equal(view.ready, 'notify');
  assert.equal(view.startTimeoutMs, 5000);
  assert.equal(view.watchdogMs, 2000);
  assert.equal(view.user, 'nobody');
  assert.equal(logs.maxSizeBytes, 1024 * 1024);
  assert.deepEqual(view.env, { SECRET: '********' });
});
