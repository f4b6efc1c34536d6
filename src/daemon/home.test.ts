import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getPaths } from '../paths.js';
import { checkHome, ensureHome } from './home.js';

function makeRoot(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'tend-unit-home-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

test('ensureHome creates a missing home and its folders with mode 0700', (t) => {
  const paths = getPaths(join(makeRoot(t), 'home'));
  ensureHome(paths);
  for (const dir of [paths.home, paths.logsDir, paths.fifoDir])
    assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test('a home others may read is tightened to 0700; one others may write is refused', (t) => {
  const paths = getPaths(join(makeRoot(t), 'home'));
  mkdirSync(paths.home);
  chmodSync(paths.home, 0o755);
  ensureHome(paths);
  assert.equal(statSync(paths.home).mode & 0o777, 0o700);
  chmodSync(paths.home, 0o777);
  assert.throws(() => ensureHome(paths), {
    code: 'UNSAFE_PATH',
    message: /writable by others \(mode 0777\)/,
  });
});

test('a symlink for the home or for its fifo folder is refused, never followed', (t) => {
  const root = makeRoot(t);
  const target = join(root, 'target');
  mkdirSync(target, { mode: 0o700 });
  symlinkSync(target, join(root, 'link'));
  assert.throws(() => checkHome(getPaths(join(root, 'link'))), { message: /link: it is a symbolic link/ });
  const paths = getPaths(join(root, 'home'));
  ensureHome(paths);
  rmSync(paths.fifoDir, { recursive: true });
  symlinkSync(target, paths.fifoDir);
  assert.throws(() => ensureHome(paths), { code: 'UNSAFE_PATH', message: /fifo: it is a symbolic link/ });
});
