import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { importProcfile } from './procfile.js';

const PROCFILE = new URL('../../../test/fixtures/import/procfile/Procfile', import.meta.url).pathname;

test('imports each process type as a shell command', () => {
  const result = importProcfile(readFileSync(PROCFILE, 'utf8'), PROCFILE);
  assert.deepEqual(result.config, {
    programs: {
      web: { command: 'bundle exec puma -C config/puma.rb -p $${PORT:-5000}', env: { PORT: '5000' } },
      worker: { command: 'bundle exec sidekiq -C config/sidekiq.yml' },
      release: { command: 'bin/rails db:migrate', autostart: false, restart: 'never' },
      clock: { command: 'bundle exec clockwork lib/clock.rb' },
    },
  });
  assert.deepEqual(
    result.notes.map((note) => [note.program, note.option]),
    [
      ['web', 'PORT'],
      ['web', 'command'],
      ['release', 'release'],
    ],
  );
  assert.match(result.notes[0]?.reason ?? '', /Heroku sets \$PORT.*5000 as foreman does/);
});

test('reads the .env next to the Procfile through envFile, for every program', () => {
  const { config } = importProcfile('web: node server.js\nworker: node worker.js\n', 'Procfile', {
    envFile: '.env',
  });
  assert.deepEqual(config, {
    defaults: { envFile: '.env' },
    programs: {
      web: { command: 'node server.js', env: { PORT: '5000' } },
      worker: { command: 'node worker.js' },
    },
  });
});

test('renames process types that are not valid tend names', () => {
  const { config, notes } = importProcfile('all: ./run-all\n_hidden: ./hidden\n', 'Procfile');
  assert.deepEqual(Object.keys(config.programs), ['all-program', 'hidden']);
  assert.deepEqual(
    notes.map((note) => [note.program, note.option]),
    [
      ['all-program', 'name'],
      ['hidden', 'name'],
    ],
  );
});

test('a line that is not "name: command" names the file and line', () => {
  const cases: [string, RegExp][] = [
    [
      'web: ok\n\nthis is not a process\n',
      /^Procfile:3: expected "name: command", got "this is not a process"$/,
    ],
    ['web:\n', /^Procfile:1: "web" has no command$/],
    ['web: a\nweb: b\n', /^Procfile:2: "web" is declared twice \(first on line 1\)$/],
    ['# only a comment\n', /^Procfile: no "name: command" lines$/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => importProcfile(text, 'Procfile'), { name: 'ConfigError', message });
  }
});
