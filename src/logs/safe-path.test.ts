import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openInDirectory, openSafeDirectory } from './safe-path.js';

// The untrusted half (a directory another user may write) is tested end to end as root with a
// second user: test/e2e/security-logs.test.ts. Here: what the daemon's own directories allow.

const APPEND = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;

function makeRoot(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'tend-unit-safe-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

test('a directory of the daemon’s own is trusted: its symlinks are followed, missing parts created 0700', (t) => {
  const root = makeRoot(t);
  mkdirSync(join(root, 'real'));
  symlinkSync(join(root, 'real'), join(root, 'link'));
  const dir = openSafeDirectory(join(root, 'link', 'made', 'here'), { create: true });
  assert.equal(dir.trusted, true);
  assert.equal(dir.fd, null);
  assert.equal(dir.path, join(root, 'real', 'made', 'here'));
  const fd = openInDirectory(dir, 'app.log', APPEND);
  writeSync(fd, 'line\n');
  closeSync(fd);
  assert.equal(readFileSync(join(root, 'real', 'made', 'here', 'app.log'), 'utf8'), 'line\n');
});

test('a FIFO in a log file’s place is refused without blocking the daemon', (t) => {
  const root = makeRoot(t);
  execFileSync('mkfifo', [join(root, 'app.log')]);
  const dir = openSafeDirectory(root, { create: false });
  assert.throws(() => openInDirectory(dir, 'app.log', APPEND), { code: 'ENXIO' });
});

test('a symlink the daemon put in its own directory is followed; a missing directory is ENOENT', (t) => {
  const root = makeRoot(t);
  writeFileSync(join(root, 'target.log'), '');
  symlinkSync(join(root, 'target.log'), join(root, 'app.log'));
  const fd = openInDirectory(openSafeDirectory(root, { create: false }), 'app.log', APPEND);
  writeSync(fd, 'x\n');
  closeSync(fd);
  assert.equal(readFileSync(join(root, 'target.log'), 'utf8'), 'x\n');
  assert.throws(() => openSafeDirectory(join(root, 'missing'), { create: false }), { code: 'ENOENT' });
});
