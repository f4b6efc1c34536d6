import type { DetachOptions } from './detach.js';
import type { EventHandler } from './event-queue.js';
import type { DaemonLogger, LogLevel } from './logger.js';
import type { Clock, TimedEventHandle, TimedEventInfo } from './schedule.js';
import type { RunLog } from './stats.js';

// The public shape of tend/daemon: options, the daemon object, what hooks receive.

/**
 * Where the daemon is in its life. `idle` until `run()`; `starting` while start hooks run;
 * `reloading` while reload hooks run; `stopping` from the stop event to the exit.
 *
 * @example
 * if (daemon.state === 'running') daemon.status('serving');
 */
export type DaemonState = 'idle' | 'starting' | 'running' | 'reloading' | 'stopping';

/**
 * What an uncaught exception or unhandled rejection leads to, after it is logged:
 * `stop` (default) a graceful stop with exit code 1; `exit` an immediate exit with code 1 (no stop
 * hooks); `continue` nothing more.
 *
 * @example
 * createDaemon({ name: 'news', onUncaughtError: 'exit' });
 */
export type UncaughtErrorPolicy = 'stop' | 'exit' | 'continue';

/**
 * Why the daemon stops, as stop hooks see it.
 *
 * @example
 * daemon.onStop(({ reason, signal }) => console.log(`stopping: ${reason} ${signal ?? ''}`));
 */
export interface StopInfo {
  reason: 'signal' | 'request' | 'uncaught-error' | 'start-failed';
  signal: NodeJS.Signals | null;
  /** The exit code the process will have unless a stop hook fails (then 1). */
  exitCode: number;
}

/**
 * A start or reload hook; may be async. Start hooks run in order before the daemon is ready;
 * reload hooks run in order on SIGHUP.
 *
 * @example
 * const loadConfig: LifecycleHook = async () => { config = JSON.parse(await readFile('config.json', 'utf8')); };
 */
export type LifecycleHook = () => unknown;

/**
 * A stop hook; may be async. All stop hooks run, in order, even when one fails.
 *
 * @example
 * const closeServer: StopHook = () => new Promise((resolve) => server.close(resolve));
 */
export type StopHook = (info: StopInfo) => unknown;

/**
 * Options of `createDaemon`.
 *
 * @example
 * createDaemon({ name: 'news', stopTimeoutMs: 10_000, pidFile: '/tmp/news.pid', dumpState: () => ({ cache }) });
 */
export interface DaemonOptions {
  /** Names the log lines and default files; default: the script's file name without extension. */
  name?: string;
  /** How long stop hooks may take before the process exits anyway (code 1); default 30 s. */
  stopTimeoutMs?: number;
  /** Default 'stop'. */
  onUncaughtError?: UncaughtErrorPolicy;
  /** Where SIGUSR1 writes the run log; default `<tmpdir>/<name>.runlog.json`. */
  runLogPath?: string;
  /** Where SIGUSR2 writes the state dump; default `<tmpdir>/<name>.state.json`. */
  stateDumpPath?: string;
  /** What the state dump includes besides the run log and the pending events; may be async. */
  dumpState?: () => unknown;
  /** A pid file `run()` takes (with its lock); `detach()` and `control()` use it or a default path. */
  pidFile?: string;
  /** Defaults for `detach()` and `control()`'s `start`. */
  detach?: DetachOptions;
  /** s6 style: the fd on which to write the readiness newline (else NOTIFY_FD from the environment). */
  notifyFd?: number;
  /** Call `ready()` once the start hooks finished (default true); false: call it yourself. */
  autoReady?: boolean;
  /** Default: synchronous lines on stderr. */
  logger?: DaemonLogger;
  /** For the default logger; default 'info'. */
  logLevel?: LogLevel;
  /** For tests: the clock timed events use. */
  clock?: Clock;
}

/**
 * Everything the run log has, the events still waiting and timed, and what `dumpState()` returned.
 *
 * @example
 * const dump: StateDump = JSON.parse(readFileSync('/tmp/news.state.json', 'utf8'));
 */
export interface StateDump extends RunLog {
  state: unknown;
  queued: { event: string; payload: unknown }[];
  timed: TimedEventInfo[];
}

/**
 * A daemon made by `createDaemon`. Each member has an example; docs/daemon-toolkit.md has the whole story.
 *
 * @example
 * const daemon: Daemon = createDaemon({ name: 'news' });
 * daemon.on('fetch', fetchHeadlines);
 * daemon.every('10s', 'fetch');
 * await daemon.run();
 */
export interface Daemon {
  readonly name: string;
  readonly state: DaemonState;
  readonly logger: DaemonLogger;
  /**
   * Adds a start hook (run in registration order by `run()`); a failing one stops the daemon with exit code 1.
   * @example daemon.onStart(async () => { server = await listen(8080); });
   */
  onStart(hook: LifecycleHook): void;
  /**
   * Adds a reload hook (SIGHUP); a failing one ends that reload (logged) and the daemon keeps running.
   * @example daemon.onReload(async () => { config = await loadConfig(); });
   */
  onReload(hook: LifecycleHook): void;
  /**
   * Adds a stop hook (SIGTERM, SIGINT, `stop()`), run within `stopTimeoutMs`.
   * @example daemon.onStop(() => db.close());
   */
  onStop(hook: StopHook): void;
  /**
   * Adds a handler at the end of an event's pipeline; returns a function that removes it. Names
   * starting with `daemon:` are the toolkit's own.
   * @example daemon.on('fetch', async (url: string) => (await fetch(url)).text());
   */
  on<P = unknown, Previous = unknown>(event: string, handler: EventHandler<P, Previous>): () => void;
  /**
   * Queues an event at the back.
   * @example daemon.schedule('fetch', 'http://localhost:8080/feed');
   */
  schedule(event: string, payload?: unknown): void;
  /**
   * Queues an event at the front: it runs next, once the running event finished.
   * @example daemon.scheduleNext('flush');
   */
  scheduleNext(event: string, payload?: unknown): void;
  /**
   * Queues an event at the back after `ms`.
   * @example const retry = daemon.scheduleAfter(5000, 'fetch', url);
   */
  scheduleAfter(ms: number, event: string, payload?: unknown): TimedEventHandle;
  /**
   * Queues an event at the back at a date.
   * @example daemon.scheduleAt(new Date('2030-01-01T00:00:00Z'), 'happy-new-year');
   */
  scheduleAt(date: Date | number, event: string, payload?: unknown): TimedEventHandle;
  /**
   * Queues an event every interval (ms, or `'10s'`, `'5m'`) or by a cron expression (5 or 6 fields).
   * @example daemon.every('*\/5 * * * *', 'report'); daemon.every(30_000, 'poll');
   */
  every(interval: number | string, event: string, payload?: unknown): TimedEventHandle;
  /**
   * Tells the supervisor the daemon is ready (READY=1, the fd newline, the starting terminal when detached).
   * @example createDaemon({ autoReady: false }).onStart(async () => { await warmUp(); daemon.ready(); });
   */
  ready(): void;
  /**
   * Sends a one-line status (STATUS=...), shown by `tend ls` and `systemctl status`.
   * @example daemon.status(`${count} headlines`);
   */
  status(text: string): void;
  /**
   * Tells the supervisor a reload began (RELOADING=1); `ready()` ends it. SIGHUP does both itself.
   * @example daemon.reloading(); await reopenLogs(); daemon.ready();
   */
  reloading(): void;
  /**
   * Tells the supervisor the daemon is stopping (STOPPING=1). The stop event does it itself.
   * @example daemon.stopping();
   */
  stopping(): void;
  /**
   * Sends any sd_notify assignments (nothing without NOTIFY_SOCKET), such as MAINPID= or EXTEND_TIMEOUT_USEC=.
   * @example daemon.onStop(() => daemon.notify({ EXTEND_TIMEOUT_USEC: 60_000_000 }));
   */
  notify(assignments: Record<string, string | number>): void;
  /**
   * Starts the daemon: installs the signal handlers, runs the start hooks, calls `ready()`.
   * Resolves once started; if a start hook fails, the daemon stops and exits with code 1.
   * @example await daemon.run();
   */
  run(): Promise<void>;
  /**
   * Requests a graceful stop, as SIGTERM does, with the exit code to use (default 0).
   * @example daemon.on('fatal', () => daemon.stop(1));
   */
  stop(exitCode?: number): void;
  /**
   * Requests a reload, as SIGHUP does.
   * @example fs.watch('config.json', () => daemon.reload());
   */
  reload(): void;
  /**
   * Goes to the background (new session, not its leader, cwd, umask, stdio, pid file). The starting
   * process exits 0 once the daemon is ready; a failure rejects there. Call before `run()`.
   * @example await daemon.detach({ stdout: '/tmp/news.log' }); await daemon.run();
   */
  detach(options?: DetachOptions): Promise<void>;
  /**
   * The control entry point: `node my-daemon.js start|stop|restart|status|reload|run|signal USR1`.
   * Exits with an LSB code, except `start` in the daemon and `run`, which keep running.
   * @example await daemon.control(process.argv);
   */
  control(argv?: readonly string[]): Promise<void>;
  /**
   * The run log as SIGUSR1 writes it.
   * @example console.log(daemon.getRunLog().events);
   */
  getRunLog(): RunLog;
}
