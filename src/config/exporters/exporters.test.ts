import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyKeyMappings, EXPORT_KEYS, type KeyMappings } from './keys.js';
import { getKubernetesName, getPortName } from './kubernetes-names.js';
import type { ExportProgram } from './programs.js';
import { getInstancePath } from './programs.js';
import { getBackoffSteps } from './shared.js';
import { formatSpan, quoteAssignment, quoteExecWord } from './systemd-text.js';

test('ExecStart words double $ and %, and are quoted with C escapes when not plain', () => {
  assert.equal(quoteExecWord('/usr/bin/node'), '/usr/bin/node');
  assert.equal(quoteExecWord('$HOME'), '"$$HOME"');
  assert.equal(quoteExecWord('100%'), '"100%%"');
  assert.equal(quoteExecWord('say "hi"\n'), '"say \\"hi\\"\\n"');
  assert.equal(quoteExecWord('%i', { specifiers: true }), '"%i"');
  assert.equal(quoteAssignment('A', 'b c $d 5%'), '"A=b c $d 5%%"');
});

test('spans, instance paths, backoff steps and Kubernetes names', () => {
  assert.equal(formatSpan(10_000), '10s');
  assert.equal(formatSpan(250), '250ms');
  assert.equal(getInstancePath('/srv/logs/api.log', '%i'), '/srv/logs/api-%i.log');
  assert.equal(getInstancePath('/srv/logs/.hidden', '2'), '/srv/logs/.hidden-2');
  assert.equal(getBackoffSteps({ initial: 250, multiplier: 2, max: 30_000 }), 7);
  assert.equal(getBackoffSteps({ initial: 10_000, multiplier: 1, max: 30_000 }), 0);
  assert.equal(getKubernetesName('job_runner.V2'), 'job-runner-v2');
  assert.equal(getKubernetesName('-x-'), 'x');
  assert.equal(getPortName('very_long__socket-name'), 'very-long-socke');
  assert.equal(getPortName('8080'), 'port-8080');
});

test('every key gets its cell, and a key the exporters do not know yet is noted', () => {
  const seen: string[] = [];
  const notes: string[] = [];
  const cells = Object.fromEntries(
    EXPORT_KEYS.map((key) => [key, () => seen.push(key)]),
  ) as unknown as KeyMappings<unknown>;
  const program = {
    name: 'web',
    written: new Set(['command', 'futureKey', 'logs.keep']),
  } as unknown as ExportProgram;
  const out = { note: (option: string, reason: string) => notes.push(`${option}: ${reason}`) };
  applyKeyMappings(cells, program, out, { path: '', dir: '', programs: [] });
  assert.deepEqual(seen, [...EXPORT_KEYS]);
  assert.deepEqual(notes, ['futureKey: tend export does not map this key yet; it is left out']);
});
