import { resolve as resolvePath } from 'node:path';
import { BadArgumentError } from '../errors.js';
import { runControl } from './control.js';
import { DAEMON_EVENT_PREFIX, DAEMON_EVENTS } from './daemon-events.js';
import { type DetachChannel, type DetachOptions, spawnDetached, takeDetachChannel } from './detach.js';
import { DaemonAlreadyRunningError, DaemonStateError } from './errors.js';
import { type EventHandler, EventQueue } from './event-queue.js';
import { createLogger, type DaemonLogger, describeError, flushOutput } from './logger.js';
import { createNotifier, type Notifier } from './notify.js';
import { type DaemonPaths, getDefaultName, getDefaultPaths, validateName } from './paths.js';
import { acquirePidFile, getPidFileStatus, type PidFileLock, readPidFile } from './pid-file.js';
import { getRunLog, getStateDump, type ReportSource, writeReport } from './reports.js';
import {
  guardInspectorSignal,
  type HandledSignal,
  installSignalHandlers,
  type SignalAction,
} from './signals.js';
import type { RunLog } from './stats.js';
import type { Daemon, DaemonOptions, DaemonState, LifecycleHook, StopHook, StopInfo } from './types.js';
import { installUncaughtHandlers, type UncaughtOrigin } from './uncaught.js';
import { startWatchdogPings } from './watchdog.js';

// The daemon: wires the queue, signals, notifier, pid file and hooks together. Every lifecycle step
// is an event on the queue (start, reload, stop, run log, state dump, watchdog), so it never
// overlaps a handler; only the stop deadline and the third SIGINT act outside the queue, because
// they must work when the queue is stuck.

/**
 * How long stop hooks may take by default before the process exits anyway.
 *
 * @example
 * createDaemon({ name: 'slow-drain', stopTimeoutMs: 2 * DEFAULT_STOP_TIMEOUT_MS });
 */
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;

/**
 * The exit code after the third SIGINT (128 + SIGINT, as a shell reports a death by SIGINT).
 *
 * @example
 * if (result.code === FORCED_EXIT_CODE) console.log('the daemon was forced to exit');
 */
export const FORCED_EXIT_CODE = 130;
const EXIT_FLUSH_TIMEOUT_MS = 2000;
// One ref'd timer that never fires in practice: a daemon with nothing else pending stays alive.
const KEEP_ALIVE_MS = 2 ** 31 - 1;

/**
 * Creates a daemon; nothing happens until `run()` (or `control()`).
 *
 * @example
 * import { createDaemon } from 'tend/daemon';
 *
 * const daemon = createDaemon({ name: 'news', stopTimeoutMs: 10_000 });
 * daemon.onStart(loadConfig);
 * daemon.onReload(loadConfig);
 * daemon.onStop(() => server.close());
 * daemon.on('fetch', fetchHeadlines);
 * daemon.every('5s', 'fetch');
 * await daemon.control(process.argv);
 */
export function createDaemon(options: DaemonOptions = {}): Daemon {
  return new DaemonRuntime(options);
}

interface StopRequest extends StopInfo {
  deadline: NodeJS.Timeout;
}

class DaemonRuntime implements Daemon {
  readonly name: string;
  readonly logger: DaemonLogger;
  readonly #options: DaemonOptions;
  readonly #paths: DaemonPaths;
  readonly #stopTimeoutMs: number;
  readonly #queue: EventQueue;
  readonly #startHooks: LifecycleHook[] = [];
  readonly #reloadHooks: LifecycleHook[] = [];
  readonly #stopHooks: StopHook[] = [];
  #state: DaemonState = 'idle';
  #startedAtMs: number | null = null;
  #notifier: Notifier | null = null;
  #detachChannel: DetachChannel | null = null;
  #pidFilePath: string | null;
  #pidLock: PidFileLock | null = null;
  #stopRequest: StopRequest | null = null;
  #stopWatchdog: () => void = () => {};
  #onStarted: (() => void) | null = null;
  #unguardSignal: () => void;

  constructor(options: DaemonOptions) {
    this.#options = options;
    this.name = validateName(options.name ?? getDefaultName());
    this.logger = options.logger ?? createLogger({ name: this.name, level: options.logLevel });
    this.#paths = getDefaultPaths(this.name);
    this.#pidFilePath = options.pidFile ?? null;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    // From creation on, never from run() only: a SIGUSR1 while the program still sets up must not
    // open Node's inspector to every local user.
    this.#unguardSignal = guardInspectorSignal(() =>
      this.logger.warn('SIGUSR1 before run(): ignored (no run log yet)'),
    );
    // Paused until run(): events scheduled at the top level wait for the start hooks, and a control
    // command (status, stop...) never runs them.
    this.#queue = new EventQueue({
      paused: true,
      clock: options.clock,
      onError: (event, error) => this.logger.error(`event "${event}" failed`, error),
    });
    this.#queue.on(DAEMON_EVENTS.start, () => this.#onStartEvent());
    this.#queue.on(DAEMON_EVENTS.reload, () => this.#onReloadEvent());
    this.#queue.on(DAEMON_EVENTS.stop, () => this.#onStopEvent());
    const paths = {
      runLog: options.runLogPath ?? this.#paths.runLog,
      stateDump: options.stateDumpPath ?? this.#paths.stateDump,
    };
    this.#queue.on(DAEMON_EVENTS.runLog, () =>
      writeReport(this.logger, 'run log', paths.runLog, this.getRunLog()),
    );
    this.#queue.on(DAEMON_EVENTS.stateDump, async () =>
      writeReport(this.logger, 'state dump', paths.stateDump, await getStateDump(this.#getReportSource())),
    );
  }

  get state(): DaemonState {
    return this.#state;
  }

  onStart(hook: LifecycleHook): void {
    this.#startHooks.push(hook);
  }

  onReload(hook: LifecycleHook): void {
    this.#reloadHooks.push(hook);
  }

  onStop(hook: StopHook): void {
    this.#stopHooks.push(hook);
  }

  on<P = unknown, Previous = unknown>(event: string, handler: EventHandler<P, Previous>): () => void {
    return this.#queue.on(checkEventName(event), handler);
  }

  schedule(event: string, payload?: unknown): void {
    this.#queue.schedule(checkEventName(event), payload);
  }

  scheduleNext(event: string, payload?: unknown): void {
    this.#queue.scheduleNext(checkEventName(event), payload);
  }

  scheduleAfter(ms: number, event: string, payload?: unknown) {
    return this.#queue.scheduleAfter(ms, checkEventName(event), payload);
  }

  scheduleAt(date: Date | number, event: string, payload?: unknown) {
    return this.#queue.scheduleAt(date, checkEventName(event), payload);
  }

  every(interval: number | string, event: string, payload?: unknown) {
    return this.#queue.every(interval, checkEventName(event), payload);
  }

  ready(): void {
    this.#notifier?.ready();
    this.#detachChannel?.ready();
  }

  status(text: string): void {
    this.#notifier?.status(text);
  }

  reloading(): void {
    this.#notifier?.reloading();
  }

  stopping(): void {
    this.#notifier?.stopping();
  }

  notify(assignments: Record<string, string | number>): void {
    this.#notifier?.send(assignments);
  }

  run(): Promise<void> {
    if (this.#state !== 'idle') return Promise.reject(new DaemonStateError(this.name, this.#state, 'run'));
    try {
      if (this.#pidFilePath && !this.#pidLock) this.#takePidFile(this.#pidFilePath);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#state = 'starting';
    this.#startedAtMs = Date.now();
    this.#notifier = createNotifier({ logger: this.logger, notifyFd: this.#options.notifyFd });
    setInterval(() => {}, KEEP_ALIVE_MS);
    this.#unguardSignal();
    installSignalHandlers((action, signal) => this.#onSignal(action, signal));
    installUncaughtHandlers((error, origin) => this.#onUncaughtError(error, origin));
    const pingMs = this.#notifier.watchdogPingMs;
    if (pingMs)
      this.#stopWatchdog = startWatchdogPings(this.#queue, pingMs, () => this.#notifier?.watchdog());
    return new Promise((resolve) => {
      this.#onStarted = resolve;
      this.#queue.scheduleUrgent(DAEMON_EVENTS.start);
      this.#queue.resume();
    });
  }

  stop(exitCode = 0): void {
    this.#requestStop({ reason: 'request', signal: null, exitCode });
  }

  reload(): void {
    if (this.#state !== 'idle' && this.#stopRequest === null)
      this.#queue.scheduleUrgent(DAEMON_EVENTS.reload);
  }

  async detach(options: DetachOptions = {}): Promise<void> {
    if (this.#state !== 'idle') throw new DaemonStateError(this.name, this.#state, 'detach');
    const settings = { ...this.#options.detach, ...options };
    const pidFile = settings.pidFile ?? this.#getPidFile();
    const channel = takeDetachChannel();
    if (channel) return this.#becomeDetached(channel, pidFile);
    const owner = getPidFileStatus(pidFile);
    if (owner.state === 'running') throw new DaemonAlreadyRunningError(this.name, owner.pid, pidFile);
    const { pid } = await spawnDetached(this.name, pidFile, settings);
    const shownPid = pid || readPidFile(pidFile) || '?';
    this.logger.info(`started in the background (pid ${shownPid}, pid file ${pidFile})`);
    await flushOutput(EXIT_FLUSH_TIMEOUT_MS);
    process.exit(0);
  }

  control(argv: readonly string[] = process.argv): Promise<void> {
    return runControl(this, argv, {
      pidFile: this.#getPidFile(),
      stopTimeoutMs: this.#stopTimeoutMs,
      takePidFileOnRun: () => {
        this.#pidFilePath ??= this.#getPidFile();
      },
    });
  }

  getRunLog(): RunLog {
    return getRunLog(this.#getReportSource());
  }

  #getReportSource(): ReportSource {
    return {
      name: this.name,
      state: this.#state,
      startedAtMs: this.#startedAtMs,
      queue: this.#queue,
      dumpState: this.#options.dumpState,
    };
  }

  // One pid file for run(), detach() and control(): the option, else detach's, else the default.
  #getPidFile(): string {
    return this.#options.pidFile ?? this.#options.detach?.pidFile ?? this.#paths.pidFile;
  }

  #takePidFile(path: string): void {
    this.#pidLock = acquirePidFile(path, { name: this.name });
    const lock = this.#pidLock;
    process.on('exit', () => lock.release());
  }

  #becomeDetached(channel: DetachChannel, pidFile: string): void {
    this.#detachChannel = channel;
    this.#pidFilePath = resolvePath(pidFile);
    try {
      process.chdir(channel.cwd);
      this.#takePidFile(this.#pidFilePath);
    } catch (error) {
      channel.fail(error);
      this.logger.error('could not start in the background', error);
      process.exit(1);
    }
  }

  #onSignal(action: SignalAction, signal: HandledSignal): void {
    if (action === 'stop' || action === 'quit') {
      if (this.#stopRequest) this.logger.warn(`${signal} while stopping: a third SIGINT exits at once`);
      this.#requestStop({ reason: 'signal', signal, exitCode: 0 });
    } else if (action === 'force-exit') {
      this.logger.warn(`third SIGINT: exiting now with code ${FORCED_EXIT_CODE}, stop hooks unfinished`);
      this.#exitNow(FORCED_EXIT_CODE);
    } else if (action === 'reload') {
      this.reload();
    } else if (action === 'write-run-log') {
      this.#queue.scheduleUrgent(DAEMON_EVENTS.runLog);
    } else if (action === 'write-state-dump') {
      this.#queue.scheduleUrgent(DAEMON_EVENTS.stateDump);
    } else if (action === 'log-and-ignore') {
      this.logger.warn(`${signal} ignored (a daemon is not ended or stopped by it)`);
    }
  }

  #onUncaughtError(error: unknown, origin: UncaughtOrigin): void {
    const policy = this.#options.onUncaughtError ?? 'stop';
    const what = origin === 'uncaughtException' ? 'uncaught exception' : 'unhandled rejection';
    this.logger.error(`${what} (policy: ${policy})`, error);
    if (policy === 'exit') this.#exitNow(1);
    if (policy === 'stop') this.#requestStop({ reason: 'uncaught-error', signal: null, exitCode: 1 });
  }

  // The deadline counts from the request, not from when the stop event gets its turn, so a handler
  // stuck in the queue cannot hold the exit back.
  #requestStop(info: StopInfo): void {
    if (this.#state === 'idle' || this.#stopRequest) return;
    const deadline = setTimeout(() => {
      this.logger.error(`stop hooks did not finish within ${this.#stopTimeoutMs} ms; exiting anyway`);
      this.#exitNow(1);
    }, this.#stopTimeoutMs);
    this.#stopRequest = { ...info, deadline };
    this.#queue.scheduleUrgent(DAEMON_EVENTS.stop);
  }

  async #onStartEvent(): Promise<void> {
    try {
      for (const hook of this.#startHooks) await hook();
    } catch (error) {
      this.logger.error('a start hook failed; stopping', error);
      this.#detachChannel?.fail(new Error(`a start hook failed: ${describeError(error).split('\n')[0]}`));
      this.#requestStop({ reason: 'start-failed', signal: null, exitCode: 1 });
      return;
    }
    if (this.#state === 'starting') this.#state = 'running';
    this.logger.info(`started (pid ${process.pid})`);
    if ((this.#options.autoReady ?? true) && !this.#stopRequest) this.ready();
    this.#onStarted?.();
  }

  async #onReloadEvent(): Promise<void> {
    this.#state = 'reloading';
    this.#notifier?.reloading();
    this.logger.info('reloading');
    try {
      for (const hook of this.#reloadHooks) await hook();
      this.logger.info('reloaded');
    } catch (error) {
      this.logger.error('a reload hook failed; the reload ends here and the daemon keeps running', error);
    }
    this.#state = 'running';
    this.#notifier?.ready();
  }

  async #onStopEvent(): Promise<void> {
    const request = this.#stopRequest as StopRequest;
    this.#state = 'stopping';
    this.#notifier?.stopping();
    this.#stopWatchdog();
    const dropped = this.#queue.close();
    const cause = request.signal ?? request.reason;
    this.logger.info(
      `stopping (${cause})${dropped > 0 ? `; dropped ${dropped} queued or timed events` : ''}`,
    );
    let exitCode = request.exitCode;
    const info: StopInfo = { reason: request.reason, signal: request.signal, exitCode };
    for (const hook of this.#stopHooks) {
      try {
        await hook(info);
      } catch (error) {
        this.logger.error('a stop hook failed', error);
        exitCode = exitCode || 1;
      }
    }
    this.logger.info(`stopped (exit code ${exitCode})`);
    clearTimeout(request.deadline);
    this.#pidLock?.release();
    await flushOutput(EXIT_FLUSH_TIMEOUT_MS);
    process.exit(exitCode);
  }

  #exitNow(code: number): void {
    this.#pidLock?.release();
    process.exit(code);
  }
}

// The toolkit's own events are started only by the toolkit (a stray `daemon:stop` would have no stop request).
function checkEventName(event: string): string {
  if (typeof event === 'string' && event.startsWith(DAEMON_EVENT_PREFIX)) {
    throw new BadArgumentError(
      `Event "${event}": names starting with "${DAEMON_EVENT_PREFIX}" are the toolkit's own`,
    );
  }
  return event;
}
