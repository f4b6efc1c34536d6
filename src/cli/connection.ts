import { closeSync, constants, openSync } from 'node:fs';
import { callApi } from '../api/client.js';
import { checkHome, ensureHome } from '../daemon/home.js';
import { DAEMON_NODE_FLAGS } from '../daemon/node-flags.js';
import { DaemonNotRunningError, DaemonUnavailableError, isTendError } from '../errors.js';
import type { TendPaths } from '../paths.js';
import { spawnDetached } from '../sdk/detach.js';

// How the CLI reaches the daemon: call it; if nobody answers, start one and call again (commands
// that change something), or say that none runs and how to start it (read-only commands). Two CLIs
// racing both start a daemon, the database lock lets exactly one live, and both then reach it.

const DAEMON_START_TIMEOUT_MS = 10_000;
const RECONNECT_INTERVAL_MS = 20;
/** dist/daemon.js logs into TEND_HOME/daemon.log with this flag (src/daemon/entry.ts). */
const DAEMON_LOG_FILE_FLAG = '--log-file';
const APPEND_NO_FOLLOW = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

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
        if (!(isTendError(error) && error.code === 'DAEMON_UNAVAILABLE')) throw error;
        if (!options.autoStart)
          throw isNobodyListening(error) ? new DaemonNotRunningError(paths.home, error) : error;
      }
      await ensureDaemon(paths);
      return callApi<T>(paths.socket, method, path, body);
    },
  };
}

function isNobodyListening(error: Error): boolean {
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

/**
 * Starts the daemon the way tend/daemon detaches any daemon (a new session it does not lead, no
 * terminal, no inherited fds, cwd /, output appended to daemon.log) and waits until it serves.
 */
export async function ensureDaemon(paths: TendPaths): Promise<void> {
  ensureHome(paths);
  // Never through a symlink someone planted in the home (docs/security.md).
  const logFd = openSync(paths.daemonLog, APPEND_NO_FOLLOW, 0o600);
  let why = `see ${paths.daemonLog}`;
  try {
    await spawnDetached('tend', paths.pidFile, {
      argv: [...DAEMON_NODE_FLAGS, getDaemonEntry(), DAEMON_LOG_FILE_FLAG],
      outputFd: logFd,
      stdout: paths.daemonLog,
      readyTimeoutMs: DAEMON_START_TIMEOUT_MS,
    });
    return;
  } catch (error) {
    why = `${(error as Error).message}; see ${paths.daemonLog}`;
  } finally {
    closeSync(logFd);
  }
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
  throw new DaemonUnavailableError(`it did not start: ${why}`);
}
