import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseBoolean,
  parseByteSize,
  parseEnvironment,
  parseSignal,
  parseUmask,
} from './supervisord-values.js';

test('reads environment pairs, quoted or not, across continuation lines', () => {
  assert.deepEqual(parseEnvironment('A="1, 2",B=plain , C=\'x=y\',\nD="",E=with space'), {
    ok: true,
    value: { A: '1, 2', B: 'plain', C: 'x=y', D: '', E: 'with space' },
  });
  assert.deepEqual(parseEnvironment('A=1\nB=2'), { ok: true, value: { A: '1', B: '2' } });
});

test('rejects environment text that is not KEY=value pairs', () => {
  assert.equal(parseEnvironment('JUSTAWORD').ok, false);
  assert.equal(parseEnvironment('A="unclosed').ok, false);
});

test('reads supervisord booleans, sizes, signals and umasks', () => {
  assert.deepEqual(parseBoolean('Yes'), { ok: true, value: true });
  assert.deepEqual(parseBoolean('off'), { ok: true, value: false });
  assert.equal(parseBoolean('unexpected').ok, false);
  assert.deepEqual(parseByteSize('50MB'), { ok: true, value: 50 * 1024 * 1024 });
  assert.deepEqual(parseByteSize('0'), { ok: true, value: 0 });
  assert.deepEqual(parseSignal('SIGQUIT'), { ok: true, value: 'QUIT' });
  assert.equal(parseSignal('NOPE').ok, false);
  assert.deepEqual(parseUmask('22'), { ok: true, value: '022' });
  assert.deepEqual(parseUmask('0002'), { ok: true, value: '002' });
  assert.equal(parseUmask('999').ok, false);
});
