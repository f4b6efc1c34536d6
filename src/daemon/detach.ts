import { spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { TendPaths } from '../paths.js';
import { ensureHome } from './home.js';

const APPEND_NO_FOLLOW = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

// Starts the daemon in the background the way a daemon must run: setsid() (a new session with no
// controlling terminal, so closing the terminal or SSH session sends it nothing), stdin from
// /dev/null, stdout and stderr appended to TEND_HOME/daemon.log, cwd "/". It tells us it is ready by
// writing a line on fd 3 (the s6 notification-fd idea); EOF without it means it did not start.

export type DetachResult = 'ready' | 'exited';

export function startDetachedDaemon(
  paths: TendPaths,
  entry: string,
  timeoutMs: number,
): Promise<DetachResult> {
  ensureHome(paths);
  const logFd = openSync(paths.daemonLog, APPEND_NO_FOLLOW, 0o600);
  const child = spawn(process.execPath, [entry], {
    detached: true,
    cwd: '/',
    stdio: ['ignore', logFd, logFd, 'pipe'],
    env: { ...process.env, TEND_HOME: paths.home, TEND_READY_FD: '3' },
  });
  closeSync(logFd);
  const notify = child.stdio[3] as Readable;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: DetachResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      notify.destroy();
      child.unref();
      resolve(result);
    };
    const timer = setTimeout(() => finish('exited'), timeoutMs);
    notify.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) finish('ready');
    });
    notify.on('end', () => finish('exited'));
    notify.on('error', () => finish('exited'));
  });
}
