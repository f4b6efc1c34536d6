import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DaemonAlreadyRunningError } from './errors.js';
import { acquirePidFile, getPidFileStatus, isProcessAlive, readPidFile, removePidFile } from './pid-file.js';

let dir: string;
let path: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tend-sdk-pid-'));
  path = join(dir, 'sub', 'daemon.pid');
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A live process whose command line names `sleep`, started before the pid file is written. */
function startSleeper(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  return child.pid as number;
}

function getDeadPid(): number {
  return spawnSync('true').pid as number;
}

function writePidFile(pid: number | string, ageMs = 0): void {
  spawnSync('mkdir', ['-p', join(dir, 'sub')]);
  writeFileSync(path, `${pid}\n`);
  if (ageMs > 0) utimesSync(path, new Date(Date.now() - ageMs), new Date(Date.now() - ageMs));
}

describe('pid file lock', () => {
  test('creates the file (and its directory) with our pid, and release removes it', () => {
    const lock = acquirePidFile(path, { name: 'test' });
    assert.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
    assert.equal(lock.pid, process.pid);
    lock.release();
    assert.equal(existsSync(path), false);
  });

  test('a live copy of the same program keeps the file: the second start is refused with its pid', () => {
    const sleeper = startSleeper();
    writePidFile(sleeper);
    assert.throws(
      () => acquirePidFile(path, { name: 'news', script: 'sleep' }),
      (error: unknown) =>
        error instanceof DaemonAlreadyRunningError &&
        error.pid === sleeper &&
        /Daemon "news" is already running \(pid \d+, pid file .*daemon\.pid\)/.test(error.message),
    );
    assert.equal(readPidFile(path), sleeper, 'the owner keeps its file');
  });

  test('a stale file from a dead process is replaced', () => {
    writePidFile(getDeadPid());
    acquirePidFile(path, { name: 'test' });
    assert.equal(readPidFile(path), process.pid);
  });

  test('a live pid running another program is a reused pid: the file is stale', () => {
    writePidFile(startSleeper());
    acquirePidFile(path, { name: 'test', script: 'my-daemon.js' });
    assert.equal(readPidFile(path), process.pid);
  });

  test('a live pid that started after the file was written is a reused pid: the file is stale', () => {
    writePidFile(startSleeper(), 60_000);
    acquirePidFile(path, { name: 'test', script: 'sleep' });
    assert.equal(readPidFile(path), process.pid);
  });

  test('an old empty or garbled file is stale; a leftover break lock of a dead starter is cleared', () => {
    writePidFile('', 60_000);
    writeFileSync(`${path}.lock`, `${getDeadPid()}\n`);
    acquirePidFile(path, { name: 'test' });
    assert.equal(readPidFile(path), process.pid);
    assert.equal(existsSync(`${path}.lock`), false);
    writePidFile('not a pid', 60_000);
    acquirePidFile(path, { name: 'test' });
    assert.equal(readPidFile(path), process.pid);
  });

  test('removePidFile leaves a file that names another process alone', () => {
    writePidFile(12345);
    removePidFile(path, process.pid);
    assert.equal(readPidFile(path), 12345);
  });
});

describe('pid file status', () => {
  test('says running, dead (with or without a pid) or absent', () => {
    assert.deepEqual(getPidFileStatus(path), { state: 'absent' });
    const sleeper = startSleeper();
    writePidFile(sleeper);
    assert.deepEqual(getPidFileStatus(path, 'sleep'), { state: 'running', pid: sleeper });
    const dead = getDeadPid();
    writePidFile(dead);
    assert.deepEqual(getPidFileStatus(path, 'sleep'), { state: 'dead', pid: dead });
    writePidFile('garbage');
    assert.deepEqual(getPidFileStatus(path), { state: 'dead', pid: null });
  });

  test('a zombie is not alive', async () => {
    // The forked child exits at once; its python parent never reaps it.
    const script =
      'import os, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(30)';
    const parent = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(parent);
    const zombie = await new Promise<number>((resolve) =>
      parent.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    const isZombie = () => readFileSync(`/proc/${zombie}/stat`, 'latin1').split(') ')[1]?.startsWith('Z');
    for (let i = 0; i < 200 && !isZombie(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(isZombie(), 'the fixture made a zombie');
    assert.equal(isProcessAlive(zombie), false);
  });
});
