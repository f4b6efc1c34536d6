import type { DaemonLogger } from '../sdk/logger.js';
import { type HandledSignal, installSignalHandlers, type SignalAction } from '../sdk/signals.js';

// What each signal does to the tend daemon (the table itself is tend/daemon's, src/sdk/signals.ts):
// TERM and INT stop the programs and exit, QUIT exits leaving them running (the next daemon adopts
// them), the rest are logged and ignored, so the daemon never dies without a line saying why.

export interface DaemonSignalTargets {
  readonly log: DaemonLogger;
  shutdown(stopPrograms: boolean, why: string): void;
  /** The third SIGINT: out now, programs left running, even if the shutdown is stuck. */
  exitNow(code: number): void;
}

export function installDaemonSignals(targets: DaemonSignalTargets): () => void {
  return installSignalHandlers((action, signal) => ON_SIGNAL[action](targets, signal));
}

const FORCED_EXIT_CODE = 130;

// Every action has its cell; "nothing" is written out.
const ON_SIGNAL: Record<SignalAction, (targets: DaemonSignalTargets, signal: HandledSignal) => void> = {
  stop: (targets, signal) => targets.shutdown(true, signal),
  quit: (targets, signal) => targets.shutdown(false, signal),
  'force-exit': (targets) => {
    targets.log.warn(`third SIGINT: exiting now (code ${FORCED_EXIT_CODE}), programs left running`);
    targets.exitNow(FORCED_EXIT_CODE);
  },
  reload: (targets, signal) =>
    targets.log.info(`${signal} ignored (nothing to reload; tend up applies a changed config)`),
  'write-run-log': (targets, signal) =>
    targets.log.info(`${signal} ignored (the daemon writes no run log; see tend ls and tend events)`),
  'write-state-dump': (targets, signal) =>
    targets.log.info(`${signal} ignored (the daemon writes no state dump; see tend ls and tend events)`),
  'log-and-ignore': (targets, signal) =>
    targets.log.warn(`${signal} ignored (the daemon is not ended or stopped by it)`),
  ignore: () => {},
};
