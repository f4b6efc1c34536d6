import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { waitFor } from '../../test/e2e/helpers.js';
import { getShellScript } from './shell-command.js';

test('a simple command string is exec’d, so the program is the main process', () => {
  assert.equal(getShellScript('node server.js --port 3000'), 'exec node server.js --port 3000');
  assert.equal(
    getShellScript('  python3 -u worker.py "$HOME" > out.txt  '),
    'exec python3 -u worker.py "$HOME" > out.txt',
  );
});

test('lists, pipelines, subshells, compound commands, assignments and builtins stay as written', () => {
  for (const command of [
    'cd app && node server.js',
    'producer | consumer',
    'one; two',
    'server &',
    '(cd app; make)',
    'echo `date`',
    'while true; do sleep 1; done',
    'if true\nthen sleep 1\nfi',
    'PORT=3000 node server.js',
    'exit 3',
    'cd /tmp',
    'exec node server.js',
    'trap "" TERM',
  ]) {
    assert.equal(getShellScript(command), command, command);
  }
});

test('under /bin/sh the exec’d program itself has the pid tend watches', {
  skip: process.platform !== 'linux',
}, async (t) => {
  const child = spawn('/bin/sh', ['-c', getShellScript('sleep 30')], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  const comm = () => readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim();
  // Without exec the shell would stay the process, named sh, until the deadline.
  await waitFor(() => comm() === 'sleep', 1000, 'the shell to become sleep');
});
