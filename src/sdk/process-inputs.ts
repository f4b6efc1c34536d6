import { DAEMON_EVENTS } from './daemon-events.js';
import type { DaemonLogger } from './logger.js';
import { type HandledSignal, installSignalHandlers, type SignalAction } from './signals.js';
import type { DaemonOptions, StopInfo } from './types.js';
import { installUncaughtHandlers, type UncaughtOrigin } from './uncaught.js';

// What a running daemon makes of its process's inputs: a keep-alive timer, then signals and uncaught
// errors, each turned into a request of the daemon (stop, reload, a report, an exit now). The daemon's
// lifecycle (lifecycle.ts) decides what those requests do.

/**
 * The exit code after the third SIGINT (128 + SIGINT, as a shell reports a death by SIGINT).
 *
 * @example
 * if (result.code === FORCED_EXIT_CODE) console.log('the daemon was forced to exit');
 */
export const FORCED_EXIT_CODE = 130;
// One ref'd timer that never fires in practice: a daemon with nothing else pending stays alive.
const KEEP_ALIVE_MS = 2 ** 31 - 1;

/** What the daemon offers its process's inputs. */
export interface ProcessInputTargets {
  readonly logger: DaemonLogger;
  /** Read when an error arrives, for its onUncaughtError policy. */
  readonly options: Pick<DaemonOptions, 'onUncaughtError'>;
  isStopRequested(): boolean;
  requestStop(info: StopInfo): void;
  exitNow(code: number): void;
  reload(): void;
  scheduleUrgent(event: string): void;
}

/** Keeps the process alive and listens to its signals and uncaught errors, from run() on. */
export function wireProcessInputs(targets: ProcessInputTargets): void {
  setInterval(() => {}, KEEP_ALIVE_MS);
  installSignalHandlers((action, signal) => onSignal(targets, action, signal));
  installUncaughtHandlers((error, origin) => onUncaughtError(targets, error, origin));
}

function onSignal(targets: ProcessInputTargets, action: SignalAction, signal: HandledSignal): void {
  if (action === 'stop' || action === 'quit') {
    if (targets.isStopRequested())
      targets.logger.warn(`${signal} while stopping: a third SIGINT exits at once`);
    targets.requestStop({ reason: 'signal', signal, exitCode: 0 });
  } else if (action === 'force-exit') {
    targets.logger.warn(`third SIGINT: exiting now with code ${FORCED_EXIT_CODE}, stop hooks unfinished`);
    targets.exitNow(FORCED_EXIT_CODE);
  } else if (action === 'reload') {
    targets.reload();
  } else if (action === 'write-run-log') {
    targets.scheduleUrgent(DAEMON_EVENTS.runLog);
  } else if (action === 'write-state-dump') {
    targets.scheduleUrgent(DAEMON_EVENTS.stateDump);
  } else if (action === 'log-and-ignore') {
    targets.logger.warn(`${signal} ignored (a daemon is not ended or stopped by it)`);
  }
}

function onUncaughtError(targets: ProcessInputTargets, error: unknown, origin: UncaughtOrigin): void {
  const policy = targets.options.onUncaughtError ?? 'stop';
  const what = origin === 'uncaughtException' ? 'uncaught exception' : 'unhandled rejection';
  targets.logger.error(`${what} (policy: ${policy})`, error);
  if (policy === 'exit') targets.exitNow(1);
  if (policy === 'stop') targets.requestStop({ reason: 'uncaught-error', signal: null, exitCode: 1 });
}
