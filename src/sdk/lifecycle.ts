import { resolve as resolvePath } from 'node:path';
import { BadArgumentError } from '../errors.js';
import { runControl } from './control.js';
import { DAEMON_EVENT_PREFIX, DAEMON_EVENTS } from './daemon-events.js';
import { type DetachChannel, type DetachOptions, takeDetachChannel } from './detach.js';
import { startInBackground } from './detach-start.js';
import { DaemonStateError } from './errors.js';
import { type EventHandler, EventQueue } from './event-queue.js';
import { LifecycleSteps } from './lifecycle-steps.js';
import { createLogger, type DaemonLogger } from './logger.js';
import { type DaemonPaths, getDefaultName, getDefaultPaths, validateName } from './paths.js';
import { wireProcessInputs } from './process-inputs.js';
import { getRunLog, type ReportSource, writeReportsOnEvents } from './reports.js';
import { Shutdown } from './shutdown.js';
import { guardInspectorSignal } from './signals.js';
import type { RunLog } from './stats.js';
import type { Daemon, DaemonOptions, DaemonState, LifecycleHook, StopHook } from './types.js';

export { FORCED_EXIT_CODE } from './process-inputs.js';

// The daemon: wires the queue, signals, notifier, pid file and hooks together. Every lifecycle step
// is an event on the queue (start, reload, stop, run log, state dump, watchdog), so it never
// overlaps a handler; only the stop deadline and the third SIGINT act outside the queue, because
// they must work when the queue is stuck. The five states and their steps are lifecycle-steps.ts;
// how it stops and exits, shutdown.ts; what it makes of signals and uncaught errors, process-inputs.ts.

/**
 * How long stop hooks may take by default before the process exits anyway.
 *
 * @example
 * createDaemon({ name: 'slow-drain', stopTimeoutMs: 2 * DEFAULT_STOP_TIMEOUT_MS });
 */
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;

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

class DaemonRuntime implements Daemon {
  readonly name: string;
  readonly logger: DaemonLogger;
  readonly #options: DaemonOptions;
  readonly #paths: DaemonPaths;
  readonly #stopTimeoutMs: number;
  readonly #queue: EventQueue;
  readonly #shutdown: Shutdown;
  readonly #steps: LifecycleSteps;
  #startedAtMs: number | null = null;
  #pidFilePath: string | null;
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
    this.#shutdown = new Shutdown(this.logger, this.#queue, this.#stopTimeoutMs);
    this.#steps = new LifecycleSteps({
      logger: this.logger,
      options,
      queue: this.#queue,
      shutdown: this.#shutdown,
    });
    const paths = {
      runLog: options.runLogPath ?? this.#paths.runLog,
      stateDump: options.stateDumpPath ?? this.#paths.stateDump,
    };
    writeReportsOnEvents(this.#queue, this.logger, paths, () => this.#getReportSource());
  }

  get state(): DaemonState {
    return this.#steps.state;
  }

  onStart(hook: LifecycleHook): void {
    this.#steps.onStart(hook);
  }

  onReload(hook: LifecycleHook): void {
    this.#steps.onReload(hook);
  }

  onStop(hook: StopHook): void {
    this.#shutdown.addHook(hook);
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
    this.#steps.ready();
  }

  status(text: string): void {
    this.#steps.notifier?.status(text);
  }

  reloading(): void {
    this.#steps.notifier?.reloading();
  }

  stopping(): void {
    this.#steps.notifier?.stopping();
  }

  notify(assignments: Record<string, string | number>): void {
    this.#steps.notifier?.send(assignments);
  }

  run(): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(new DaemonStateError(this.name, this.state, 'run'));
    try {
      if (this.#pidFilePath && !this.#shutdown.holdsPidFile)
        this.#shutdown.takePidFile(this.#pidFilePath, this.name);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#startedAtMs = Date.now();
    this.#steps.begin();
    this.#unguardSignal();
    wireProcessInputs({
      logger: this.logger,
      options: this.#options,
      isStopRequested: () => this.#shutdown.isRequested,
      requestStop: (info) => this.#steps.requestStop(info),
      exitNow: (code) => this.#shutdown.exitNow(code),
      reload: () => this.reload(),
      scheduleUrgent: (event) => this.#queue.scheduleUrgent(event),
    });
    return this.#steps.start();
  }

  stop(exitCode = 0): void {
    this.#steps.requestStop({ reason: 'request', signal: null, exitCode });
  }

  reload(): void {
    if (this.state !== 'idle' && !this.#shutdown.isRequested)
      this.#queue.scheduleUrgent(DAEMON_EVENTS.reload);
  }

  async detach(options: DetachOptions = {}): Promise<void> {
    if (this.state !== 'idle') throw new DaemonStateError(this.name, this.state, 'detach');
    const settings = { ...this.#options.detach, ...options };
    const pidFile = settings.pidFile ?? this.#getPidFile();
    const channel = takeDetachChannel();
    if (channel) return this.#becomeDetached(channel, pidFile);
    await startInBackground(this.name, pidFile, settings, this.logger);
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
      state: this.state,
      startedAtMs: this.#startedAtMs,
      queue: this.#queue,
      dumpState: this.#options.dumpState,
    };
  }

  // One pid file for run(), detach() and control(): the option, else detach's, else the default.
  #getPidFile(): string {
    return this.#options.pidFile ?? this.#options.detach?.pidFile ?? this.#paths.pidFile;
  }

  #becomeDetached(channel: DetachChannel, pidFile: string): void {
    this.#steps.useDetachChannel(channel);
    this.#pidFilePath = resolvePath(pidFile);
    try {
      process.chdir(channel.cwd);
      this.#shutdown.takePidFile(this.#pidFilePath, this.name);
    } catch (error) {
      channel.fail(error);
      this.logger.error('could not start in the background', error);
      process.exit(1);
    }
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
