import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitShellWords } from './shell-words.js';

test('splits on any whitespace, newlines included', () => {
  assert.deepEqual(splitShellWords('  gunicorn app\n  --bind 0.0.0.0:80\t-w 3 '), [
    'gunicorn',
    'app',
    '--bind',
    '0.0.0.0:80',
    '-w',
    '3',
  ]);
});

test('keeps quoted text together, as POSIX shlex does', () => {
  assert.deepEqual(splitShellWords(`--since "24 hours ago" --name 'it''s' a\\ b "say \\"hi\\"" ''`), [
    '--since',
    '24 hours ago',
    '--name',
    'its',
    'a b',
    'say "hi"',
    '',
  ]);
  assert.deepEqual(splitShellWords(`sh -c 'echo "$HOME"; exit 3'`), ['sh', '-c', 'echo "$HOME"; exit 3']);
});

test('an unclosed quote is an error', () => {
  assert.throws(() => splitShellWords('echo "oops'), /unclosed double quote/);
  assert.throws(() => splitShellWords("echo 'oops"), /unclosed single quote/);
});
