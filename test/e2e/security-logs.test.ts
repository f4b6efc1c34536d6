import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createProgram, createTendHome, type TendHome, waitFor } from './helpers.js';
import { createSecondUser, IS_ROOT, NOT_ROOT_REASON, type SecondUser } from './second-user.js';

// Issue 9, item 2: a program running as user u logs into a directory u can write. u replaces the
// log file (or a directory on the way to it) by a symlink to a file of root's: the root daemon
// must not append to it, truncate it on flush, or create a file where a dangling link points.

interface Detail {
  logs: { faults: { path: string; error: string }[] };
}

async function getFaults(tendHome: TendHome): Promise<Detail['logs']['faults']> {
  const { body } = await tendHome.api<Detail>({ method: 'GET', path: '/v1/programs/app' });
  return body.logs.faults;
}

function asUser(user: SecondUser, script: string): void {
  execFileSync('/bin/sh', ['-c', script], { uid: user.uid, gid: user.gid, cwd: user.dir, stdio: 'ignore' });
}

test('log files are never reached through a symlink the program’s user planted', {
  skip: !IS_ROOT && NOT_ROOT_REASON,
}, async (t) => {
  const tendHome = await createTendHome();
  t.after(() => tendHome.cleanup());
  const user = createSecondUser(t);
  const hisDir = join(user.dir, 'u-home');
  mkdirSync(join(hisDir, 'logs'), { recursive: true });
  chownSync(hisDir, user.uid, user.gid);
  chownSync(join(hisDir, 'logs'), user.uid, user.gid);
  const log = join(hisDir, 'logs', 'app.log');
  const victim = join(user.dir, 'victim');
  writeFileSync(victim, 'root-owned original\n', { mode: 0o644 });
  await createProgram(tendHome, {
    name: 'app',
    command: 'while :; do echo tick; sleep 0.05; done',
    user: user.name,
    cwd: user.dir,
    logs: { out: log },
  });
  await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('tick'), 5000, 'the first lines');

  // The file replaced (atomically) by a symlink: the daemon notices the deletion and reopens the path.
  asUser(user, `ln -s ${victim} ${log}.new && mv -T ${log}.new ${log}`);
  const faults = await waitFor(
    async () => {
      const found = await getFaults(tendHome);
      const refused = found.some((fault) => fault.error === 'ELOOP');
      return (refused || readFileSync(victim, 'utf8').includes('tick')) && found;
    },
    10_000,
    'the daemon to reopen the log',
  );
  assert.equal(readFileSync(victim, 'utf8'), 'root-owned original\n', 'nothing appended to the victim');
  assert.match(faults[0]?.error ?? '', /ELOOP/);
  assert.equal((await tendHome.tend(['flush', 'app'])).code, 0);
  assert.equal(readFileSync(victim, 'utf8'), 'root-owned original\n', 'flush truncates no victim');

  // A dangling link: no new root-owned file where it points (think /etc/cron.d/x).
  const planted = join(user.dir, 'cron-x');
  asUser(user, `ln -s ${planted} ${log}.new && mv -T ${log}.new ${log}`);
  assert.equal((await tendHome.tend(['flush', 'app'])).code, 0);
  // The directory on the way swapped for a symlink to a directory of root's.
  const rootDir = join(user.dir, 'root-dir');
  mkdirSync(rootDir);
  // renameat2(RENAME_EXCHANGE): atomic, so the daemon never sees the directory missing (it would re-create it).
  const exchange = `import ctypes; ctypes.CDLL(None, use_errno=True).renameat2(-100, b"logs.new", -100, b"logs", 2) == 0 or exit(1)`;
  asUser(user, `ln -s ${rootDir} ${hisDir}/logs.new && cd ${hisDir} && python3 -c '${exchange}'`);
  assert.equal((await tendHome.tend(['flush', 'app'])).code, 0);
  await waitFor(async () => (await getFaults(tendHome)).length > 0, 5000, 'the fault');
  assert.equal(existsSync(planted), false, 'no file created through a dangling link');
  assert.equal(existsSync(join(rootDir, 'app.log')), false, 'no file created through a swapped directory');
  assert.equal(readFileSync(victim, 'utf8'), 'root-owned original\n');
});
