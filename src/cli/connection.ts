import { callApi } from '../api/client.js';
import { startDetachedDaemon } from '../daemon/detach.js';
import { checkHome } from '../daemon/home.js';
import { DaemonUnavailableError, isTendError } from '../errors.js';
import type { TendPaths } from '../paths.js';

// How the CLI reaches the daemon: call it; if nobody answers, start one and call again. Two CLIs
// racing both start a daemon, the database lock lets exactly one live, and both then reach it.

const DAEMON_START_TIMEOUT_MS = 10_000;
const RECONNECT_INTERVAL_MS = 20;

export function getDaemonEntry(): string {
  return new URL('./daemon.js', import.meta.url).pathname;
}

export interface Connection {
  readonly paths: TendPaths;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export function connect(paths: TendPaths, options: { autoStart: boolean }): Connection {
  let checked = false;
  return {
    paths,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      // A home another user controls may hold his socket (his "daemon") or his database: never use it.
      if (!checked) checkHome(paths);
      checked = true;
      try {
        return await callApi<T>(paths.socket, method, path, body);
      } catch (error) {
        if (!options.autoStart || !(isTendError(error) && error.code === 'DAEMON_UNAVAILABLE')) throw error;
      }
      await ensureDaemon(paths);
      return callApi<T>(paths.socket, method, path, body);
    },
  };
}

export async function ensureDaemon(paths: TendPaths): Promise<void> {
  const result = await startDetachedDaemon(paths, getDaemonEntry(), DAEMON_START_TIMEOUT_MS);
  if (result === 'ready') return;
  // Another daemon won the lock (or is starting up): wait for its socket to answer.
  const deadline = Date.now() + DAEMON_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      await callApi(paths.socket, 'GET', '/daemon');
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_INTERVAL_MS));
    }
  }
  throw new DaemonUnavailableError(`it did not start; see ${paths.daemonLog}`);
}
