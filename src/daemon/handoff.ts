import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { getDetachChannelEnv } from '../sdk/detach.js';

// `tend daemon restart` without looking like a crash to an init system. systemd watches the
// daemon's pid: if it exits, the unit has failed (or stopped). So the daemon hands over in place:
// it lets go of everything (socket, database lock, pid file; its programs keep running), then spawns
// its successor with the same command line, stdio and NOTIFY_SOCKET. The successor restores and
// re-adopts the programs, answers on the socket, tells systemd `MAINPID=<its pid>` and `READY=1`
// (the unit has NotifyAccess=all), and says `ready` on fd 3; only then does the old daemon exit.
// Outside systemd the same hand-over simply replaces the daemon.

const REPORT_FD = 3;
export const HANDOFF_TIMEOUT_MS = 30_000;

export interface SuccessorOptions {
  /** The NOTIFY_SOCKET the daemon was given (taken out of its environment at start). */
  readonly notifySocket: string | null;
  readonly timeoutMs?: number;
}

/** Spawns the successor and resolves with its pid once it is ready; rejects when it fails or exits first. */
export function spawnSuccessor(options: SuccessorOptions): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...getDetachChannelEnv(REPORT_FD, process.cwd()) };
  if (options.notifySocket) env.NOTIFY_SOCKET = options.notifySocket;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    env,
  });
  const report = child.stdio[REPORT_FD] as Readable;
  const timeoutMs = options.timeoutMs ?? HANDOFF_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      report.destroy();
      child.unref();
      if (error) reject(error);
      else resolve(child.pid as number);
    };
    const timer = setTimeout(() => finish(new Error(`no word from it within ${timeoutMs} ms`)), timeoutMs);
    child.on('error', (error) => finish(error));
    report.setEncoding('utf8');
    report.on('data', (chunk: string) => {
      text += chunk;
      if (/^ready$/m.test(text)) finish(null);
      const failed = /^error (.*)$/m.exec(text);
      if (failed) finish(new Error(failed[1]));
    });
    report.on('end', () => finish(new Error('it exited before it was ready')));
  });
}
