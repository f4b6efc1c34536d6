import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getNativeHelper } from '../../src/native.js';
import {
  apiRequest,
  createTendHome,
  type DaemonStatus,
  isAlive,
  killDaemon,
  type ProgramRow,
  ROOT,
  startRunning,
  waitFor,
} from './helpers.js';

// `tend daemon run` under systemd's notify protocol, heard through a datagram socket this test
// binds (systemd's side of NOTIFY_SOCKET): READY=1 only once the programs a killed daemon left
// behind are re-adopted and the API answers; STATUS= with a summary; WATCHDOG=1; `tend daemon
// restart` hands over to a successor that announces itself with MAINPID=, so the pid systemd was
// told about is always the live daemon's; STOPPING=1 at the end.

interface Datagram {
  readonly pid: number;
  readonly fields: Map<string, string>;
}

const native = getNativeHelper();

test('tend daemon run speaks sd_notify: READY after re-adoption, STATUS, WATCHDOG, a restart that keeps MAINPID true, STOPPING', {
  skip: !native?.bindNotifySocket && 'no native helper',
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const programs = [await startRunning(h, 'one'), await startRunning(h, 'two')];
  await killDaemon(h);

  const received: Datagram[] = [];
  let readyCheck: Promise<ProgramRow[]> | null = null;
  const socketPath = join(h.home, 'notify.sock');
  const receiver = native?.bindNotifySocket?.(socketPath, (text, pid) => {
    const fields = new Map(text.split('\n').map((line) => line.split('=', 2) as [string, string]));
    received.push({ pid, fields });
    // At READY=1 the API must already answer with the re-adopted programs: ask at once.
    if (fields.get('READY') === '1' && readyCheck === null)
      readyCheck = apiRequest<ProgramRow[]>(h.socket, { method: 'GET', path: '/v1/programs' }).then(
        (r) => r.body,
      );
  });
  t.after(() => receiver?.close());
  const out = openSync(join(h.home, 'foreground.log'), 'a');
  const daemon = spawn(process.execPath, [join(ROOT, 'bin', 'tend.js'), 'daemon', 'run'], {
    env: { ...process.env, TEND_HOME: h.home, NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '400000' },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const pid = daemon.pid as number;
  const from = (sender: number, key: string, value?: string) =>
    received.find(
      (d) => d.pid === sender && d.fields.has(key) && (value === undefined || d.fields.get(key) === value),
    );

  await waitFor(() => readyCheck, 10_000, 'READY=1');
  const atReady = await (readyCheck as unknown as Promise<ProgramRow[]>);
  assert.deepEqual(
    atReady.map((row) => [row.name, row.pid, row.state, row.adopted]),
    programs.map((row) => [row.name, row.pid, 'running', true]),
    'at READY=1 both programs are re-adopted with their pids and the API answers',
  );
  assert.equal(from(pid, 'MAINPID')?.fields.get('MAINPID'), String(pid));
  await waitFor(() => from(pid, 'STATUS', '2 programs, 2 running'), 5000, 'STATUS= with the summary');
  await waitFor(() => from(pid, 'WATCHDOG', '1'), 5000, 'a WATCHDOG=1 ping');

  const restarted = await h.tendJson<DaemonStatus & { pid: number; previousPid: number }>([
    'daemon',
    'restart',
  ]);
  assert.equal(restarted.previousPid, pid);
  assert.notEqual(restarted.pid, pid);
  assert.ok(from(pid, 'RELOADING', '1'), 'the old daemon said it is reloading');
  const told = received.filter((d) => d.fields.has('MAINPID')).at(-1);
  assert.equal(told?.pid, restarted.pid, 'the successor announced itself');
  assert.equal(told?.fields.get('MAINPID'), String(restarted.pid), 'MAINPID names the live daemon');
  assert.ok(from(restarted.pid, 'READY', '1'), 'the successor is ready');
  assert.equal(isAlive(pid), false, 'the old daemon has exited');
  assert.equal(from(pid, 'STOPPING'), undefined, 'the hand-over never said STOPPING=1');
  const rows = await h.tendJson<ProgramRow[]>(['ls']);
  assert.deepEqual(
    rows.map((row) => row.pid),
    programs.map((row) => row.pid),
    'the programs kept running',
  );

  const stopped = await h.tend(['daemon', 'stop']);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.ok(from(restarted.pid, 'STOPPING', '1'), 'STOPPING=1 on the way out');
  assert.ok(
    Number(from(restarted.pid, 'EXTEND_TIMEOUT_USEC')?.fields.get('EXTEND_TIMEOUT_USEC')) > 10_000_000,
  );
});
