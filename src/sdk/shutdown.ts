import { DAEMON_EVENTS } from './daemon-events.js';
import type { EventQueue } from './event-queue.js';
import { type DaemonLogger, flushOutput } from './logger.js';
import { acquirePidFile, type PidFileLock } from './pid-file.js';
import type { DaemonState, StopHook, StopInfo } from './types.js';

// How a daemon ends: a stop request starts its deadline at once and queues the stop event; the stop
// event runs the stop hooks, releases the pid file and exits. The deadline and exitNow act outside the
// queue, because they must work when the queue is stuck. The pid file is held here, from its taking
// to the exit that releases it.

export const EXIT_FLUSH_TIMEOUT_MS = 2000;

interface StopRequest extends StopInfo {
  deadline: NodeJS.Timeout;
}

export class Shutdown {
  readonly #logger: DaemonLogger;
  readonly #queue: EventQueue;
  readonly #stopTimeoutMs: number;
  readonly #stopHooks: StopHook[] = [];
  #stopRequest: StopRequest | null = null;
  #pidLock: PidFileLock | null = null;

  constructor(logger: DaemonLogger, queue: EventQueue, stopTimeoutMs: number) {
    this.#logger = logger;
    this.#queue = queue;
    this.#stopTimeoutMs = stopTimeoutMs;
  }

  get isRequested(): boolean {
    return this.#stopRequest !== null;
  }

  get holdsPidFile(): boolean {
    return this.#pidLock !== null;
  }

  addHook(hook: StopHook): void {
    this.#stopHooks.push(hook);
  }

  takePidFile(path: string, name: string): void {
    this.#pidLock = acquirePidFile(path, { name });
    const lock = this.#pidLock;
    process.on('exit', () => lock.release());
  }

  // The deadline counts from the request, not from when the stop event gets its turn, so a handler
  // stuck in the queue cannot hold the exit back.
  request(info: StopInfo, state: DaemonState): void {
    if (state === 'idle' || this.#stopRequest) return;
    const deadline = setTimeout(() => {
      this.#logger.error(`stop hooks did not finish within ${this.#stopTimeoutMs} ms; exiting anyway`);
      this.exitNow(1);
    }, this.#stopTimeoutMs);
    this.#stopRequest = { ...info, deadline };
    this.#queue.scheduleUrgent(DAEMON_EVENTS.stop);
  }

  /** The stop event's work once the daemon is stopping: the queue closed, the hooks run, the exit. */
  async onStopEvent(): Promise<void> {
    const request = this.#stopRequest as StopRequest;
    const dropped = this.#queue.close();
    const cause = request.signal ?? request.reason;
    this.#logger.info(
      `stopping (${cause})${dropped > 0 ? `; dropped ${dropped} queued or timed events` : ''}`,
    );
    let exitCode = request.exitCode;
    const info: StopInfo = { reason: request.reason, signal: request.signal, exitCode };
    for (const hook of this.#stopHooks) {
      try {
        await hook(info);
      } catch (error) {
        this.#logger.error('a stop hook failed', error);
        exitCode = exitCode || 1;
      }
    }
    this.#logger.info(`stopped (exit code ${exitCode})`);
    clearTimeout(request.deadline);
    this.#pidLock?.release();
    await flushOutput(EXIT_FLUSH_TIMEOUT_MS);
    process.exit(exitCode);
  }

  exitNow(code: number): void {
    this.#pidLock?.release();
    process.exit(code);
  }
}
