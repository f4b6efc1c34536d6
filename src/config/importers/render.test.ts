import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { formatNote, renderTendYaml } from './render.js';
import type { ImportResult } from './types.js';

const result: ImportResult = {
  config: {
    defaults: { stopSignal: 'INT' },
    programs: {
      web: { command: ['node', 'server.js'], env: { PORT: '3000', UMASK: '022' } },
      worker: { command: 'bundle exec sidekiq', dependsOn: ['web'] },
    },
  },
  notes: [
    { program: null, option: 'deploy', reason: 'not part of tend' },
    { program: 'web', option: 'watch', reason: 'tend does not watch files' },
  ],
};

test('writes a header naming the source and every note, then the config', () => {
  const text = renderTendYaml(result, 'pm2', 'ecosystem.config.js');
  assert.equal(
    text,
    [
      '# tend.yaml imported by `tend import pm2` from ecosystem.config.js.',
      '# Not carried over, or carried over approximately — check before `tend up`:',
      '#   (all): deploy: not part of tend',
      '#   web: watch: tend does not watch files',
      '',
      'defaults:',
      '  stopSignal: INT',
      '',
      'programs:',
      '  web:',
      '    command: [node, server.js]',
      '    env:',
      '      PORT: "3000"',
      '      UMASK: "022"',
      '',
      '  worker:',
      '    command: bundle exec sidekiq',
      '    dependsOn: [web]',
      '',
    ].join('\n'),
  );
  assert.deepEqual(parse(text), result.config);
});

test('says so when every option was carried over', () => {
  const text = renderTendYaml(
    { config: { programs: { a: { command: 'a' } } }, notes: [] },
    'procfile',
    'Procfile',
  );
  assert.match(
    text,
    /^# tend\.yaml imported by `tend import procfile` from Procfile\.\n# Every option was carried over\.\n/,
  );
});

test('formats a note as NAME: option: reason', () => {
  assert.equal(formatNote({ program: 'web', option: 'watch', reason: 'no' }), 'web: watch: no');
  assert.equal(formatNote({ program: null, option: '[group:x]', reason: 'no' }), '(all): [group:x]: no');
});
