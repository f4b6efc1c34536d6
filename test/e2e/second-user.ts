import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

// The security tests play a second, unprivileged local user against a root daemon: a user created
// for the test (removed after) and a directory he can reach. The suite's TMPDIR is 0700, so the
// directory is made under /tmp (world-traversable) and removed after.

export interface SecondUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** A fresh directory under /tmp, mode 0755, owned by root: traversable by the second user. */
  readonly dir: string;
}

export const IS_ROOT = process.getuid?.() === 0;
export const NOT_ROOT_REASON = 'needs root: the security tests create a second, unprivileged user';

/** Creates the user (and the directory) for this test; both are removed when it ends. */
export function createSecondUser(t: TestContext): SecondUser {
  const name = `tendsec${process.pid.toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  execFileSync('useradd', ['--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }));
  const dir = mkdtempSync('/tmp/tend-test-sec-');
  chmodSync(dir, 0o755);
  // After hooks run in the order they were added: a test makes its TEND_HOME (and registers its
  // cleanup) before calling this, so the daemon is gone by now and nothing re-creates his files.
  t.after(() => {
    killProcessesUnder(dir);
    killProcessesOf(uid);
    try {
      execFileSync('userdel', [name], { stdio: 'ignore' });
    } catch {
      // reported by the check below
    }
    rmSync(dir, { recursive: true, force: true });
    if (readFileSync('/etc/passwd', 'utf8').includes(`\n${name}:`))
      throw new Error(`cleanup: could not remove the test user ${name}`);
  });
  return { name, uid, gid, dir: join(dir) };
}

/** SIGKILLs whatever runs with a TEND_HOME under `dir` (a daemon a failed test started, the user's processes). */
function killProcessesUnder(dir: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (environ.some((variable) => variable.startsWith(`TEND_HOME=${dir}/`)))
        process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** SIGKILLs every process whose real uid is `uid` (only the test's own user has it), by pid. */
function killProcessesOf(uid: number): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const line = readFileSync(`/proc/${entry}/status`, 'latin1')
        .split('\n')
        .find((candidate) => candidate.startsWith('Uid:'));
      if (Number(line?.slice(4).trim().split(/\s+/)[0]) === uid) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
