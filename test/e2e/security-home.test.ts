import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runTend } from './helpers.js';
import { createSecondUser, IS_ROOT, NOT_ROOT_REASON } from './second-user.js';

// Issue 9, item 3: a TEND_HOME another user owns, or one reached through a symlink, is refused by the
// CLI and the daemon before either uses it: nothing runs, nothing is chmod'ed.

test('root refuses a TEND_HOME another user owns: no daemon, nothing of his runs', {
  skip: !IS_ROOT && NOT_ROOT_REASON,
}, async (t) => {
  const user = createSecondUser(t);
  const home = join(user.dir, 'h');
  mkdirSync(home, { mode: 0o700 });
  // His "database": were it opened, the daemon would run what it says as root.
  writeFileSync(join(home, 'tend.db'), '');
  chownSync(home, user.uid, user.gid);
  chownSync(join(home, 'tend.db'), user.uid, user.gid);
  for (const args of [
    ['ls'],
    ['daemon', 'start'],
    ['start', '--name', 'x', '--', 'touch', join(user.dir, 'pwned')],
  ]) {
    const result = await runTend(home, args);
    assert.equal(result.code, 3, `tend ${args.join(' ')}: ${result.stdout}${result.stderr}`);
    assert.match(
      result.stderr,
      new RegExp(`Refusing TEND_HOME ${home}: it belongs to uid ${user.uid}, not to uid 0`),
    );
  }
  assert.equal(existsSync(join(home, 'daemon.pid')), false, 'no daemon started');
  assert.equal(existsSync(join(home, 'tend.sock')), false);
  assert.equal(existsSync(join(user.dir, 'pwned')), false);
});

test('a TEND_HOME that is a symlink is refused and its target is not chmod-ed', {
  skip: !IS_ROOT && NOT_ROOT_REASON,
}, async (t) => {
  const user = createSecondUser(t);
  const shared = join(user.dir, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  const home = join(user.dir, 'link');
  symlinkSync(shared, home);
  const result = await runTend(home, ['daemon', 'start']);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /Refusing TEND_HOME .*link: it is a symbolic link/);
  assert.equal(lstatSync(shared).mode & 0o7777, 0o1777, 'the target keeps its mode');
});

test('a TEND_HOME inside a directory another user can write is refused', {
  skip: !IS_ROOT && NOT_ROOT_REASON,
}, async (t) => {
  const user = createSecondUser(t);
  const his = join(user.dir, 'his');
  mkdirSync(his, { mode: 0o755 });
  chownSync(his, user.uid, user.gid);
  const result = await runTend(join(his, 'home'), ['daemon', 'start'], { cwd: user.dir });
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, new RegExp(`${his} above it belongs to uid ${user.uid}`));
  assert.equal(existsSync(join(his, 'home')), false, 'nothing created');
});

test('a database that is a symlink is refused by the daemon', {
  skip: !IS_ROOT && NOT_ROOT_REASON,
}, async (t) => {
  const user = createSecondUser(t);
  const home = join(user.dir, 'h');
  mkdirSync(home, { mode: 0o700 });
  symlinkSync(join(user.dir, 'elsewhere.db'), join(home, 'tend.db'));
  const result = await runTend(home, ['daemon', 'start']);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /Refusing TEND_HOME entry .*tend\.db: it is a symbolic link/);
  assert.equal(existsSync(join(user.dir, 'elsewhere.db')), false);
});
