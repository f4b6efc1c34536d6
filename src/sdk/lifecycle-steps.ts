import { DAEMON_EVENTS } from './daemon-events.js';
import type { DetachChannel } from './detach.js';
import type { EventQueue } from './event-queue.js';
import { type DaemonLogger, describeError } from './logger.js';
import { createNotifier, type Notifier } from './notify.js';
import type { Shutdown } from './shutdown.js';
import type { DaemonOptions, DaemonState, LifecycleHook, StopInfo } from './types.js';
import { startWatchdogPings } from './watchdog.js';

// The daemon's five states (idle → starting → running ⇄ reloading → stopping) and the queue events
// that move it between them: start runs the start hooks, reload the reload hooks, stop hands over to
// the shutdown (shutdown.ts). What each step announces goes out here too: READY=1, RELOADING=1 and
// STOPPING=1 by sd_notify, `ready` or the start failure on the detach channel.

export interface LifecycleParts {
  readonly logger: DaemonLogger;
  /** Read when they are needed: autoReady at the end of the start hooks, notifyFd in run(). */
  readonly options: Pick<DaemonOptions, 'autoReady' | 'notifyFd'>;
  readonly queue: EventQueue;
  readonly shutdown: Shutdown;
}

export class LifecycleSteps {
  readonly #logger: DaemonLogger;
  readonly #options: Pick<DaemonOptions, 'autoReady' | 'notifyFd'>;
  readonly #queue: EventQueue;
  readonly #shutdown: Shutdown;
  readonly #startHooks: LifecycleHook[] = [];
  readonly #reloadHooks: LifecycleHook[] = [];
  #state: DaemonState = 'idle';
  #notifier: Notifier | null = null;
  #detachChannel: DetachChannel | null = null;
  #stopWatchdog: () => void = () => {};
  #onStarted: (() => void) | null = null;

  constructor(parts: LifecycleParts) {
    this.#logger = parts.logger;
    this.#options = parts.options;
    this.#queue = parts.queue;
    this.#shutdown = parts.shutdown;
    this.#queue.on(DAEMON_EVENTS.start, () => this.#onStartEvent());
    this.#queue.on(DAEMON_EVENTS.reload, () => this.#onReloadEvent());
    this.#queue.on(DAEMON_EVENTS.stop, () => this.#onStopEvent());
  }

  get state(): DaemonState {
    return this.#state;
  }

  /** The sd_notify line to the supervisor; null until run(). */
  get notifier(): Notifier | null {
    return this.#notifier;
  }

  onStart(hook: LifecycleHook): void {
    this.#startHooks.push(hook);
  }

  onReload(hook: LifecycleHook): void {
    this.#reloadHooks.push(hook);
  }

  /** Stage 2 of a detach: `ready` (or the start failure) also goes back to the starting process. */
  useDetachChannel(channel: DetachChannel): void {
    this.#detachChannel = channel;
  }

  ready(): void {
    this.#notifier?.ready();
    this.#detachChannel?.ready();
  }

  requestStop(info: StopInfo): void {
    this.#shutdown.request(info, this.#state);
  }

  /** The first half of run(): the daemon is starting and can speak to its supervisor. */
  begin(): void {
    this.#state = 'starting';
    this.#notifier = createNotifier({ logger: this.#logger, notifyFd: this.#options.notifyFd });
  }

  /** The second half of run(): watchdog pings, then the start event; resolves once the start hooks ran. */
  start(): Promise<void> {
    const pingMs = this.#notifier?.watchdogPingMs;
    if (pingMs)
      this.#stopWatchdog = startWatchdogPings(this.#queue, pingMs, () => this.#notifier?.watchdog());
    return new Promise((resolve) => {
      this.#onStarted = resolve;
      this.#queue.scheduleUrgent(DAEMON_EVENTS.start);
      this.#queue.resume();
    });
  }

  async #onStartEvent(): Promise<void> {
    try {
      for (const hook of this.#startHooks) await hook();
    } catch (error) {
      this.#logger.error('a start hook failed; stopping', error);
      this.#detachChannel?.fail(new Error(`a start hook failed: ${describeError(error).split('\n')[0]}`));
      this.requestStop({ reason: 'start-failed', signal: null, exitCode: 1 });
      return;
    }
    if (this.#state === 'starting') this.#state = 'running';
    this.#logger.info(`started (pid ${process.pid})`);
    if ((this.#options.autoReady ?? true) && !this.#shutdown.isRequested) this.ready();
    this.#onStarted?.();
  }

  async #onReloadEvent(): Promise<void> {
    this.#state = 'reloading';
    this.#notifier?.reloading();
    this.#logger.info('reloading');
    try {
      for (const hook of this.#reloadHooks) await hook();
      this.#logger.info('reloaded');
    } catch (error) {
      this.#logger.error('a reload hook failed; the reload ends here and the daemon keeps running', error);
    }
    this.#state = 'running';
    this.#notifier?.ready();
  }

  async #onStopEvent(): Promise<void> {
    this.#state = 'stopping';
    this.#notifier?.stopping();
    this.#stopWatchdog();
    await this.#shutdown.onStopEvent();
  }
}
