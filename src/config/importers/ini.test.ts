import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIni } from './ini.js';

const entries = (text: string) =>
  parseIni(text, 'x.conf').map((section) => [
    section.name,
    Object.fromEntries([...section.entries].map(([key, entry]) => [key, entry.value])),
  ]);

test('reads sections, "=" and ":" entries, lower-cases keys and drops comments', () => {
  const text = [
    '; a comment',
    '# another',
    '[program:web]',
    'Command = node server.js   ; inline comment',
    'environment: A="1",B="x;y"',
    'url=http://host:80/#anchor',
  ].join('\n');
  assert.deepEqual(entries(text), [
    [
      'program:web',
      { command: 'node server.js', environment: 'A="1",B="x;y"', url: 'http://host:80/#anchor' },
    ],
  ]);
});

test('joins indented continuation lines with a newline', () => {
  const text = '[program:api]\ncommand=gunicorn app\n    --bind 127.0.0.1:8000\n\t--workers 3\nuser=www';
  assert.deepEqual(entries(text), [
    ['program:api', { command: 'gunicorn app\n--bind 127.0.0.1:8000\n--workers 3', user: 'www' }],
  ]);
});

test('a repeated section or key replaces the earlier one, as supervisord reads it', () => {
  const text = '[program:a]\ncommand=one\ncommand=two\n[program:b]\ncommand=b\n[program:a]\nuser=x';
  assert.deepEqual(entries(text), [
    ['program:b', { command: 'b' }],
    ['program:a', { user: 'x' }],
  ]);
});

test('records the line of each section and entry', () => {
  const [section] = parseIni('\n[program:a]\n\ncommand=x\n', 'x.conf');
  assert.equal(section?.line, 2);
  assert.equal(section?.entries.get('command')?.line, 4);
});

test('names the file and line of a syntax error', () => {
  assert.throws(
    () => parseIni('command=x\n', 'sup.conf'),
    /^ConfigError: sup\.conf:1: "command=x" comes before any \[section\]/,
  );
  assert.throws(
    () => parseIni('[program:a]\njust words\n', 'sup.conf'),
    /sup\.conf:2: expected "key = value", got "just words"/,
  );
  assert.throws(() => parseIni('[program:a\n', 'sup.conf'), /sup\.conf:1: malformed section header/);
});
