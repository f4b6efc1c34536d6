import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, writeSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { getNativeHelper, type NativeHelper } from '../native.js';
import type { DaemonLogger } from './logger.js';

// Readiness, status and watchdog, in whichever protocol the supervisor speaks:
// - sd_notify (systemd, tend `ready: notify`): NOTIFY_SOCKET names an AF_UNIX datagram socket;
//   messages are `KEY=VALUE` lines. Sent by the native helper; else by systemd-notify; else not at all.
// - the fd protocol (s6's notification-fd, tend `ready: fd`): a newline on an fd, then close it.
// - neither: every call does nothing.
// The variables are taken out of process.env once read (as sd_notify(3) does with unset_environment),
// so a child process of the daemon cannot speak for it.

/**
 * Speaks readiness to the supervisor (the daemon makes one in `run()`; its methods are on the daemon).
 *
 * @example
 * const notifier = createNotifier({ logger });
 * notifier.status('warming the cache');
 * notifier.ready();
 */
export interface Notifier {
  /** The protocols in use: empty when no supervisor asked. */
  readonly protocols: readonly ('sd_notify' | 'fd')[];
  /** How often to send WATCHDOG=1 (half of WATCHDOG_USEC), or null when no watchdog is set for us. */
  readonly watchdogPingMs: number | null;
  ready(): void;
  status(text: string): void;
  /** RELOADING=1 with MONOTONIC_USEC, as systemd's Type=notify-reload expects; `ready()` ends it. */
  reloading(): void;
  stopping(): void;
  watchdog(): void;
  /** Any sd_notify assignments, such as `{ MAINPID: 4121 }` or `{ EXTEND_TIMEOUT_USEC: 5_000_000 }`. */
  send(assignments: Record<string, string | number>): void;
}

export interface NotifierOptions {
  logger: DaemonLogger;
  /** Read once; default process.env (and the variables used are then deleted from it). */
  env?: NodeJS.ProcessEnv;
  /** s6 style: the notification fd number from the daemon's own configuration; wins over NOTIFY_FD. */
  notifyFd?: number;
  native?: NativeHelper | null;
}

type Transport = (message: string) => void;

/**
 * Creates the notifier from the environment: NOTIFY_SOCKET, NOTIFY_FD, WATCHDOG_USEC, WATCHDOG_PID.
 *
 * @example
 * const notifier = createNotifier({ logger: createLogger({ name: 'news' }), notifyFd: 3 });
 * notifier.ready(); // writes "\n" to fd 3 and closes it
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const env = options.env ?? process.env;
  const socketPath = env.NOTIFY_SOCKET || undefined;
  const fdText = env.NOTIFY_FD;
  const watchdogPingMs = getWatchdogPingMs(env, process.pid);
  for (const key of ['NOTIFY_SOCKET', 'NOTIFY_FD', 'WATCHDOG_USEC', 'WATCHDOG_PID']) delete env[key];

  const fd = options.notifyFd ?? parseFd(fdText, options.logger);
  const send = socketPath ? createSocketTransport(socketPath, options) : null;
  let fdOpen = fd !== null;
  const protocols: ('sd_notify' | 'fd')[] = [];
  if (send) protocols.push('sd_notify');
  if (fd !== null) protocols.push('fd');

  const writeReadyLine = () => {
    if (!fdOpen || fd === null) return;
    fdOpen = false;
    try {
      writeSync(fd, '\n');
      closeSync(fd);
    } catch (error) {
      options.logger.warn(`could not write readiness to fd ${fd}: ${(error as Error).message}`);
    }
  };
  const notify = (assignments: Record<string, string | number>) => send?.(formatNotifyMessage(assignments));

  return {
    protocols,
    watchdogPingMs: send ? watchdogPingMs : null,
    ready() {
      notify({ READY: 1 });
      writeReadyLine();
    },
    status: (text) => notify({ STATUS: text }),
    reloading: () => notify({ RELOADING: 1, MONOTONIC_USEC: String(process.hrtime.bigint() / 1000n) }),
    stopping: () => notify({ STOPPING: 1 }),
    watchdog: () => notify({ WATCHDOG: 1 }),
    send: notify,
  };
}

/** `{ READY: 1, STATUS: 'up' }` → `READY=1\nSTATUS=up`; a newline inside a value would start a new assignment, so it becomes a space. */
export function formatNotifyMessage(assignments: Record<string, string | number>): string {
  return Object.entries(assignments)
    .map(([key, value]) => `${key}=${String(value).replace(/[\r\n]+/g, ' ')}`)
    .join('\n');
}

/** Half of WATCHDOG_USEC in ms, when the watchdog is meant for `pid` (WATCHDOG_PID unset or equal). */
export function getWatchdogPingMs(env: NodeJS.ProcessEnv, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}

function parseFd(text: string | undefined, logger: DaemonLogger): number | null {
  if (!text) return null;
  const fd = Number(text);
  if (Number.isInteger(fd) && fd >= 0) return fd;
  logger.warn(`NOTIFY_FD="${text}" is not an fd number; readiness will not be reported on it`);
  return null;
}

function createSocketTransport(socketPath: string, options: NotifierOptions): Transport {
  const { logger } = options;
  const native = options.native === undefined ? getNativeHelper() : options.native;
  const sendDatagram = native?.sendDatagram?.bind(native);
  const reported = new Set<string>();
  const warnOnce = (text: string) => {
    if (reported.has(text)) return;
    reported.add(text);
    logger.warn(text);
  };
  if (sendDatagram) {
    return (message) => {
      try {
        sendDatagram(socketPath, message);
      } catch (error) {
        warnOnce(`sd_notify to ${socketPath} failed: ${(error as Error).message}`);
      }
    };
  }
  const systemdNotify = findOnPath('systemd-notify', options.env ?? process.env);
  if (systemdNotify) {
    // systemd-notify sends from its own pid: under systemd this needs NotifyAccess=all. --no-block:
    // do not wait for the receiver to acknowledge (a synchronous spawn must stay short).
    return (message) => {
      const result = spawnSync(systemdNotify, ['--no-block', ...message.split('\n')], {
        env: { ...process.env, NOTIFY_SOCKET: socketPath },
        stdio: 'ignore',
      });
      if (result.status !== 0) warnOnce(`systemd-notify exited with ${result.status ?? result.signal}`);
    };
  }
  warnOnce(
    'NOTIFY_SOCKET is set, but neither the native helper nor systemd-notify is available: readiness is not reported',
  );
  return () => {};
}

function findOnPath(command: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
