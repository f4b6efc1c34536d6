import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createSandbox,
  readTrace,
  startFixture,
  waitForExit,
  waitForTrace,
} from '../fixtures/sdk/helpers.js';
import { waitFor } from './helpers.js';

// tend/daemon's signal paths, each in a real child process: the fixture daemon (test/fixtures/sdk/daemon.ts).

test('SIGTERM runs the stop hooks in order, exits 0 and removes the pid file', async (t) => {
  const sandbox = await createSandbox(t);
  const pidFile = join(sandbox.dir, 'fixture.pid');
  const daemon = startFixture(sandbox, [], { SDK_PID_FILE: pidFile, SDK_STOP_HOOK_MS: '100' });
  await waitForTrace(sandbox, `start ${daemon.pid}`);
  assert.equal(readFileSync(pidFile, 'utf8'), `${daemon.pid}\n`);
  await waitForTrace(sandbox, 'work 42');
  assert.deepEqual(
    readTrace(sandbox).slice(0, 2),
    [`start ${daemon.pid}`, 'work 42'],
    'events wait for the start',
  );
  daemon.child.kill('SIGTERM');
  const { code } = await waitForExit(daemon, 10_000);
  assert.equal(code, 0, daemon.output());
  assert.deepEqual(readTrace(sandbox).slice(-3), ['stop-1 signal SIGTERM 0', 'stop-1 done', 'stop-2']);
  assert.equal(existsSync(pidFile), false, 'the pid file is removed');
  assert.match(daemon.output(), /stopping \(SIGTERM\)/);
  assert.match(daemon.output(), /stopped \(exit code 0\)/);
});

test('SIGINT stops gracefully too', async (t) => {
  const sandbox = await createSandbox(t);
  const daemon = startFixture(sandbox);
  await waitForTrace(sandbox, `start ${daemon.pid}`);
  daemon.child.kill('SIGINT');
  assert.equal((await waitForExit(daemon, 10_000)).code, 0);
  assert.ok(readTrace(sandbox).includes('stop-2'));
});

test('stop hooks that outlast stopTimeoutMs: the process exits anyway, with code 1 and a log line', async (t) => {
  const sandbox = await createSandbox(t);
  const daemon = startFixture(sandbox, [], { SDK_STOP_TIMEOUT_MS: '500', SDK_STOP_HOOK_MS: '60000' });
  await waitForTrace(sandbox, `start ${daemon.pid}`);
  const sentAt = Date.now();
  daemon.child.kill('SIGTERM');
  const { code } = await waitForExit(daemon, 10_000);
  assert.equal(code, 1);
  assert.ok(Date.now() - sentAt >= 450, 'not before the deadline');
  assert.match(daemon.output(), /stop hooks did not finish within 500 ms; exiting anyway/);
  const trace = readTrace(sandbox);
  assert.ok(trace.includes('stop-1 signal SIGTERM 0'));
  assert.ok(!trace.includes('stop-1 done'), 'the slow hook was cut short');
});

test('a third SIGINT exits at once with code 130 while the stop hooks still run', async (t) => {
  const sandbox = await createSandbox(t);
  const daemon = startFixture(sandbox, [], { SDK_STOP_HOOK_MS: '60000' });
  await waitForTrace(sandbox, `start ${daemon.pid}`);
  daemon.child.kill('SIGINT');
  await waitForTrace(sandbox, 'stop-1 signal SIGINT 0');
  daemon.child.kill('SIGINT');
  // Two signals of one kind sent back to back can merge into one: wait for the second to be seen.
  await waitFor(() => /SIGINT while stopping/.test(daemon.output()), 5000, 'the second SIGINT');
  daemon.child.kill('SIGINT');
  const { code } = await waitForExit(daemon, 5000);
  assert.equal(code, 130);
  assert.match(daemon.output(), /third SIGINT: exiting now with code 130/);
  assert.ok(!readTrace(sandbox).includes('stop-1 done'));
});

test('SIGHUP runs the reload hooks each time and the daemon keeps running', async (t) => {
  const sandbox = await createSandbox(t);
  const daemon = startFixture(sandbox);
  await waitForTrace(sandbox, `start ${daemon.pid}`);
  daemon.child.kill('SIGHUP');
  await waitForTrace(sandbox, 'reload 1');
  daemon.child.kill('SIGHUP');
  await waitForTrace(sandbox, 'reload 2');
  assert.equal(daemon.child.exitCode, null, 'still running');
  assert.match(daemon.output(), /reloading[\s\S]*reloaded/);
  daemon.child.kill('SIGTERM');
  assert.equal((await waitForExit(daemon, 10_000)).code, 0);
});

test('SIGUSR1 writes the run log (uptime, pid, per-event statistics, queue, memory) and logs its path', async (t) => {
  const sandbox = await createSandbox(t);
  const runLog = join(sandbox.dir, 'run-log.json');
  const daemon = startFixture(sandbox, [], { SDK_RUN_LOG: runLog });
  await waitForTrace(sandbox, 'work 42');
  daemon.child.kill('SIGUSR1');
  // The line is logged once the file is written: waiting for it waits for both.
  const written = new RegExp(`run log written to ${runLog}`);
  await waitFor(() => written.test(daemon.output()), 5000, 'the run log and its line');
  assert.ok(existsSync(runLog));
  const log = JSON.parse(readFileSync(runLog, 'utf8'));
  assert.equal(log.name, 'sdk-fixture');
  assert.equal(log.pid, daemon.pid);
  assert.equal(log.daemonState, 'running');
  assert.ok(log.uptimeMs > 0);
  assert.deepEqual(log.queue, { length: 0, timed: 1 });
  assert.equal(log.events.work.count, 1);
  assert.equal(log.events.work.errors, 0);
  assert.equal(typeof log.events.work.totalMs, 'number');
  assert.equal(log.events['daemon:start'].count, 1);
  assert.ok(log.memory.rss > 0);
});

test('SIGUSR2 writes the state dump: the run log, dumpState(), queued and pending timed events', async (t) => {
  const sandbox = await createSandbox(t);
  const stateDump = join(sandbox.dir, 'state.json');
  const daemon = startFixture(sandbox, [], { SDK_STATE_DUMP: stateDump });
  await waitForTrace(sandbox, 'work 42');
  daemon.child.kill('SIGHUP');
  await waitForTrace(sandbox, 'reload 1');
  daemon.child.kill('SIGUSR2');
  await waitFor(() => existsSync(stateDump), 5000, 'the state dump');
  const dump = JSON.parse(readFileSync(stateDump, 'utf8'));
  assert.equal(dump.pid, daemon.pid);
  assert.deepEqual(dump.state, { answer: 42, reloads: 1 });
  assert.deepEqual(dump.queued, []);
  assert.equal(dump.timed.length, 1);
  assert.equal(dump.timed[0].event, 'tick');
  assert.deepEqual(dump.timed[0].payload, { hourly: true });
  assert.equal(dump.timed[0].every, 3_600_000);
  assert.equal(dump.events['daemon:reload'].count, 1);
  assert.match(daemon.output(), new RegExp(`state dump written to ${stateDump}`));
});

// Node ignores SIGPIPE itself, so `kill -PIPE` proves nothing; what matters is the write that would
// raise it: a daemon whose log reader has gone keeps running and keeps doing its work.
test('a daemon whose stdout reader has gone keeps running (EPIPE on its log is not fatal)', async (t) => {
  const sandbox = await createSandbox(t);
  const daemon = startFixture(sandbox);
  await waitForTrace(sandbox, `start ${daemon.pid}`);
  daemon.child.stdout?.destroy();
  daemon.child.stderr?.destroy();
  // Each reload logs a line into the closed pipes.
  daemon.child.kill('SIGHUP');
  await waitForTrace(sandbox, 'reload 1');
  daemon.child.kill('SIGHUP');
  await waitForTrace(sandbox, 'reload 2');
  assert.equal(daemon.child.exitCode, null);
  daemon.child.kill('SIGTERM');
  assert.equal((await waitForExit(daemon, 10_000)).code, 0);
});

test('an uncaught exception is logged, then (policy "stop") the daemon stops gracefully with exit code 1', async (t) => {
  const sandbox = await createSandbox(t);
  const daemon = startFixture(sandbox, [], { SDK_THROW: '1' });
  const { code } = await waitForExit(daemon, 10_000);
  assert.equal(code, 1);
  assert.match(daemon.output(), /uncaught exception \(policy: stop\): Error: an uncaught error on purpose/);
  assert.ok(readTrace(sandbox).includes('stop-1 uncaught-error - 1'));
});

test('policy "exit": an unhandled rejection is logged and the process exits 1 at once, without stop hooks', async (t) => {
  const sandbox = await createSandbox(t);
  const pidFile = join(sandbox.dir, 'fixture.pid');
  const env = { SDK_THROW: 'reject', SDK_UNCAUGHT_POLICY: 'exit', SDK_PID_FILE: pidFile };
  const daemon = startFixture(sandbox, [], env);
  const { code } = await waitForExit(daemon, 10_000);
  assert.equal(code, 1);
  assert.match(
    daemon.output(),
    /unhandled rejection \(policy: exit\): Error: an unhandled rejection on purpose/,
  );
  assert.ok(!readTrace(sandbox).some((line) => line.startsWith('stop-')), 'no stop hook ran');
  assert.equal(existsSync(pidFile), false, 'the pid file is removed all the same');
});

test('policy "continue": an uncaught exception is logged and the daemon keeps running', async (t) => {
  const sandbox = await createSandbox(t);
  const daemon = startFixture(sandbox, [], { SDK_THROW: '1', SDK_UNCAUGHT_POLICY: 'continue' });
  await waitFor(
    () => /uncaught exception \(policy: continue\)/.test(daemon.output()),
    10_000,
    'the log line',
  );
  daemon.child.kill('SIGHUP');
  await waitForTrace(sandbox, 'reload 1');
  daemon.child.kill('SIGTERM');
  assert.equal((await waitForExit(daemon, 10_000)).code, 0);
});

test('a failing start hook is logged; the stop hooks run and the exit code is 1', async (t) => {
  const sandbox = await createSandbox(t);
  const daemon = startFixture(sandbox, [], { SDK_START_FAIL: '1' });
  const { code } = await waitForExit(daemon, 10_000);
  assert.equal(code, 1);
  assert.match(daemon.output(), /a start hook failed; stopping: Error: the start hook failed on purpose/);
  assert.deepEqual(readTrace(sandbox), ['stop-1 start-failed - 1', 'stop-1 done', 'stop-2']);
});
