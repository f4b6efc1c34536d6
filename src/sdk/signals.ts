// Which signal means what (ZenDaemon's signal → event table). The listeners only schedule events on
// the queue; the one exception is the third SIGINT, which must work even when the queue is stuck.

export const FORCE_EXIT_SIGINT_COUNT = 3;

/** What a signal asks the daemon to do. */
export type SignalAction = 'stop' | 'reload' | 'write-run-log' | 'write-state-dump' | 'force-exit' | 'ignore';

export const HANDLED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE'] as const;
export type HandledSignal = (typeof HANDLED_SIGNALS)[number];

/**
 * The action for a signal; `sigintCount` counts SIGINTs received so far, this one included.
 *
 * @example
 * getSignalAction('SIGHUP', 0); // 'reload'
 * getSignalAction('SIGINT', 3); // 'force-exit'
 */
export function getSignalAction(signal: HandledSignal, sigintCount: number): SignalAction {
  switch (signal) {
    case 'SIGTERM':
      return 'stop';
    case 'SIGINT':
      return sigintCount >= FORCE_EXIT_SIGINT_COUNT ? 'force-exit' : 'stop';
    case 'SIGHUP':
      return 'reload';
    case 'SIGUSR1':
      return 'write-run-log';
    case 'SIGUSR2':
      return 'write-state-dump';
    case 'SIGPIPE':
      // Node already ignores SIGPIPE (a write to a closed pipe fails with EPIPE instead); a listener keeps it so.
      return 'ignore';
  }
}

/**
 * Listens for the handled signals and reports each one's action; returns a function that stops listening.
 *
 * @example
 * const uninstall = installSignalHandlers((action, signal) => queue.scheduleUrgent(`daemon:${action}`, signal));
 */
export function installSignalHandlers(
  onAction: (action: SignalAction, signal: HandledSignal) => void,
): () => void {
  let sigintCount = 0;
  const listeners = HANDLED_SIGNALS.map((signal) => {
    const listener = () => {
      if (signal === 'SIGINT') sigintCount += 1;
      onAction(getSignalAction(signal, sigintCount), signal);
    };
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}
