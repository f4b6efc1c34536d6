import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createConfig } from './shape.js';

test('moves settings every program shares into defaults', () => {
  const config = createConfig({
    a: { command: 'a', restart: 'on-failure', stopSignal: 'INT', giveUp: { failures: 4, within: '3m' } },
    b: { command: 'b', restart: 'on-failure', stopSignal: 'INT', giveUp: { failures: 4, within: '3m' } },
  });
  assert.deepEqual(config, {
    defaults: { restart: 'on-failure', giveUp: { failures: 4, within: '3m' }, stopSignal: 'INT' },
    programs: { a: { command: 'a' }, b: { command: 'b' } },
  });
});

test('keeps a setting on the programs when one of them differs or lacks it', () => {
  const config = createConfig({
    a: { command: 'a', restart: 'never', user: 'www' },
    b: { command: 'b', restart: 'always' },
  });
  assert.deepEqual(config, {
    programs: { a: { command: 'a', restart: 'never', user: 'www' }, b: { command: 'b', restart: 'always' } },
  });
});

test('never moves commands, env or logs, and leaves a single program alone', () => {
  const same = { command: 'x', env: { A: '1' }, logs: { merge: true } };
  assert.deepEqual(createConfig({ a: same, b: same }).defaults, undefined);
  assert.deepEqual(createConfig({ a: { command: 'a', restart: 'never' } }), {
    programs: { a: { command: 'a', restart: 'never' } },
  });
});

test('writes keys in tend.yaml order and drops empty logs', () => {
  const config = createConfig(
    { a: { logs: {}, user: 'u', command: 'a', cwd: '/x' } },
    { env: { LANG: 'C' } },
  );
  assert.deepEqual(Object.keys(config.programs.a ?? {}), ['command', 'cwd', 'user']);
  assert.deepEqual(config.defaults, { env: { LANG: 'C' } });
});
