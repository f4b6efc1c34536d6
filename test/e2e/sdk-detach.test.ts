import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { readPidFile } from '../../src/sdk/pid-file.js';
import {
  createSandbox,
  readTrace,
  runControl,
  type Sandbox,
  startFixture,
  waitForExit,
  waitForTrace,
} from '../fixtures/sdk/helpers.js';
import { isAlive, readProcStat, waitFor } from './helpers.js';

// Running without a supervisor: `node daemon.js start` detaches (the classic checklist), and the
// control commands work through the pid file with LSB exit codes.

interface DetachSandbox extends Sandbox {
  pidFile: string;
  log: string;
  cwd: string;
  control(args: string[], env?: Record<string, string>): Promise<{ code: number | null; output: string }>;
  /** Runs `start`, checks it succeeded and returns the daemon's pid (tracked for cleanup). */
  start(env?: Record<string, string>): Promise<number>;
}

async function createDetachSandbox(t: TestContext): Promise<DetachSandbox> {
  const sandbox = await createSandbox(t);
  const cwd = join(sandbox.dir, 'work');
  mkdirSync(cwd);
  const pidFile = join(sandbox.dir, 'fixture.pid');
  const log = join(sandbox.dir, 'daemon.log');
  const env = { SDK_PID_FILE: pidFile, SDK_LOG: log, SDK_CWD: cwd, SDK_UMASK: '027' };
  const control = (args: string[], extra: Record<string, string> = {}) =>
    runControl(sandbox, args, { ...env, ...extra });
  const start = async (extra: Record<string, string> = {}) => {
    const result = await control(['start'], extra);
    assert.equal(result.code, 0, result.output);
    const pid = readPidFile(pidFile);
    assert.ok(pid, 'the pid file names the daemon');
    sandbox.track(pid);
    return pid;
  };
  // The detached daemon is nobody's child here: stop it through its pid file at the end.
  t.after(async () => {
    const pid = readPidFile(pidFile);
    if (pid && isAlive(pid)) await control(['stop']);
  });
  return { ...sandbox, pidFile, log, cwd, control, start };
}

test('start detaches: a new session it does not lead, whose leader is gone, no terminal, the cwd, umask and stdio asked for', async (t) => {
  const sandbox = await createDetachSandbox(t);
  const result = await sandbox.control(['start']);
  assert.equal(result.code, 0, result.output);
  const pid = readPidFile(sandbox.pidFile) as number;
  sandbox.track(pid);
  assert.match(
    result.output,
    new RegExp(`started in the background \\(pid ${pid}, pid file ${sandbox.pidFile}\\)`),
  );
  await waitForTrace(sandbox, `start ${pid}`);

  const stat = readProcStat(pid);
  assert.ok(stat, 'the daemon runs');
  const session = Number(stat.get(6));
  assert.notEqual(session, pid, 'not a session leader, so it can never acquire a terminal');
  assert.notEqual(session, process.pid, 'a session of its own');
  assert.notEqual(Number(readProcStat(process.pid)?.get(6)), session, 'not the test runner session');
  assert.equal(isAlive(session), false, "the session's leader (stage 1) has exited");
  assert.equal(stat.get(7), '0', 'no controlling terminal (tty_nr 0)');
  assert.equal(readlinkSync(`/proc/${pid}/cwd`), sandbox.cwd);
  assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^Umask:\s+0027$/m);
  assert.equal(readlinkSync(`/proc/${pid}/fd/0`), '/dev/null');
  assert.equal(readlinkSync(`/proc/${pid}/fd/1`), sandbox.log);
  assert.equal(readlinkSync(`/proc/${pid}/fd/2`), sandbox.log);
  assert.equal(existsSync(`/proc/${pid}/fd/3`), false, 'the readiness pipe is closed once ready');
  await waitFor(
    () => readFileSync(sandbox.log, 'utf8').includes(`started (pid ${pid})`),
    5000,
    'the log line',
  );
});

test('status, reload, signal, start and stop work through the pid file with LSB exit codes', async (t) => {
  const sandbox = await createDetachSandbox(t);
  const pid = await sandbox.start();

  const status = await sandbox.control(['status']);
  assert.deepEqual(status, { code: 0, output: `sdk-fixture is running (pid ${pid})\n` });

  const again = await sandbox.control(['start']);
  assert.deepEqual(again, { code: 0, output: `sdk-fixture is already running (pid ${pid})\n` });
  assert.equal(readPidFile(sandbox.pidFile), pid, 'the second copy did not take over');

  assert.equal((await sandbox.control(['reload'])).code, 0);
  await waitForTrace(sandbox, 'reload 1');
  const signal = await sandbox.control(['signal', 'USR1']);
  assert.deepEqual(signal, { code: 0, output: `sent SIGUSR1 to sdk-fixture (pid ${pid})\n` });
  await waitFor(() => readFileSync(sandbox.log, 'utf8').includes('run log written to'), 5000, 'the run log');

  const stop = await sandbox.control(['stop']);
  assert.deepEqual(stop, { code: 0, output: `sdk-fixture stopped (pid ${pid})\n` });
  assert.equal(isAlive(pid), false);
  assert.equal(existsSync(sandbox.pidFile), false, 'the daemon removed its pid file');
  assert.deepEqual(readTrace(sandbox).slice(-2), ['stop-1 done', 'stop-2']);

  assert.deepEqual(await sandbox.control(['status']), { code: 3, output: 'sdk-fixture is not running\n' });
  assert.equal((await sandbox.control(['stop'])).code, 0, 'stopping a stopped daemon succeeds (LSB)');
  assert.equal((await sandbox.control(['reload'])).code, 7);
  assert.equal((await sandbox.control(['signal', 'USR1'])).code, 7);
});

test('bad control arguments exit 2 with the usage', async (t) => {
  const sandbox = await createDetachSandbox(t);
  const unknown = await sandbox.control(['jump']);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.output,
    /unknown command "jump"\nusage: daemon\.ts start\|stop\|restart\|status\|reload\|run\|signal <SIGNAL>/,
  );
  assert.equal((await sandbox.control(['signal', 'NOPE'])).code, 2);
  assert.equal((await sandbox.control([])).code, 2);
});

test('a pid file left by a dead daemon: status says 1, and start replaces it', async (t) => {
  const sandbox = await createDetachSandbox(t);
  const pid = await sandbox.start();
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isAlive(pid), 5000, 'the daemon to die');
  assert.equal(readPidFile(sandbox.pidFile), pid, 'SIGKILL left the pid file behind');
  const status = await sandbox.control(['status']);
  assert.equal(status.code, 1);
  assert.match(status.output, /not running, but its pid file .* remains/);
  const next = await sandbox.start();
  assert.notEqual(next, pid);
  assert.equal((await sandbox.control(['status'])).code, 0);
});

test('two starts at once leave exactly one daemon running', async (t) => {
  const sandbox = await createDetachSandbox(t);
  const [first, second] = await Promise.all([sandbox.control(['start']), sandbox.control(['start'])]);
  assert.equal(first.code, 0, first.output);
  assert.equal(second.code, 0, second.output);
  const pid = readPidFile(sandbox.pidFile) as number;
  sandbox.track(pid);
  await waitForTrace(sandbox, `start ${pid}`);
  // Give a losing copy the time to have started, then count the daemons.
  await waitFor(
    () => readTrace(sandbox).filter((line) => line.startsWith('start ')).length >= 1,
    5000,
    'a start',
  );
  const starts = readTrace(sandbox).filter((line) => line.startsWith('start '));
  assert.deepEqual(starts, [`start ${pid}`], 'only one copy ran its start hooks');
  assert.match(`${first.output}${second.output}`, new RegExp(`already running \\(pid ${pid}\\)`));
});

test('restart stops the daemon and starts a new one', async (t) => {
  const sandbox = await createDetachSandbox(t);
  const pid = await sandbox.start();
  const restart = await sandbox.control(['restart']);
  assert.equal(restart.code, 0, restart.output);
  const next = readPidFile(sandbox.pidFile) as number;
  sandbox.track(next);
  assert.notEqual(next, pid);
  assert.equal(isAlive(pid), false);
  await waitForTrace(sandbox, `start ${next}`);
});

test('a daemon that fails to start: start says why and exits 1', async (t) => {
  const sandbox = await createDetachSandbox(t);
  const result = await sandbox.control(['start'], { SDK_START_FAIL: '1' });
  assert.equal(result.code, 1);
  assert.match(
    result.output,
    /could not start in the background: a start hook failed: Error: the start hook failed on purpose/,
  );
  await waitFor(() => !existsSync(sandbox.pidFile), 5000, 'the pid file to be removed');
});

test('stop SIGKILLs a daemon that is still alive after its stop timeout', async (t) => {
  const sandbox = await createDetachSandbox(t);
  const env = { SDK_BLOCK_ON_STOP: '1', SDK_STOP_TIMEOUT_MS: '300' };
  const pid = await sandbox.start(env);
  const stop = await sandbox.control(['stop'], env);
  assert.deepEqual(stop, {
    code: 0,
    output: `sdk-fixture did not stop within 300 ms and was killed (pid ${pid})\n`,
  });
  assert.equal(isAlive(pid), false);
  assert.equal(existsSync(sandbox.pidFile), false);
});

test('run keeps the daemon in the foreground with its pid file, so status and stop find it', async (t) => {
  const sandbox = await createDetachSandbox(t);
  const daemon = startFixture(sandbox, ['run'], { SDK_MODE: 'control', SDK_PID_FILE: sandbox.pidFile });
  await waitForTrace(sandbox, `start ${daemon.pid}`);
  assert.equal(readPidFile(sandbox.pidFile), daemon.pid);
  assert.equal((await sandbox.control(['status'])).code, 0);
  assert.equal((await sandbox.control(['stop'])).code, 0);
  assert.equal((await waitForExit(daemon, 5000)).code, 0);
});

test('a stale pid file whose pid now belongs to another program does not block the start', async (t) => {
  const sandbox = await createDetachSandbox(t);
  writeFileSync(sandbox.pidFile, `${process.pid}\n`);
  assert.equal((await sandbox.control(['status'])).code, 1, 'the test runner is not the daemon');
  const pid = await sandbox.start();
  assert.notEqual(pid, process.pid);
});
