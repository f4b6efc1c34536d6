import { constants } from 'node:os';

// Which signal means what (ZenDaemon's signal → event table), for every signal whose default would
// end or stop the process without a word. The listeners only report the action; the daemon decides
// what to do with it. Fault signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS) keep
// their default: a core dump is the right answer to a real fault. docs/security.md lists them all.

export const FORCE_EXIT_SIGINT_COUNT = 3;

/**
 * What a signal asks the daemon to do. `quit` ends it like `stop` (the tend daemon leaves its
 * programs running); `log-and-ignore` is a warning line and nothing else.
 */
export type SignalAction =
  | 'stop'
  | 'quit'
  | 'reload'
  | 'write-run-log'
  | 'write-state-dump'
  | 'force-exit'
  | 'ignore'
  | 'log-and-ignore';

const SIGNAL_ACTIONS = {
  SIGTERM: 'stop',
  SIGINT: 'stop',
  SIGQUIT: 'quit',
  SIGHUP: 'reload',
  // A listener for SIGUSR1 also keeps Node from opening its inspector (unauthenticated, 127.0.0.1:9229).
  SIGUSR1: 'write-run-log',
  SIGUSR2: 'write-state-dump',
  // Node already ignores SIGPIPE (a write to a closed pipe fails with EPIPE instead); a listener keeps it so.
  SIGPIPE: 'ignore',
  // Nobody should send these to a daemon: default is death (or a stop, for the terminal ones).
  SIGALRM: 'log-and-ignore',
  SIGVTALRM: 'log-and-ignore',
  SIGPROF: 'log-and-ignore',
  SIGXCPU: 'log-and-ignore',
  // Ignored, a write past RLIMIT_FSIZE fails with EFBIG (a log fault) instead of killing the process.
  SIGXFSZ: 'log-and-ignore',
  // A daemon ignores terminal stops (Stevens' daemon rules): a Ctrl-Z must not freeze a supervisor.
  SIGTSTP: 'log-and-ignore',
  SIGTTIN: 'log-and-ignore',
  SIGTTOU: 'log-and-ignore',
  SIGIO: 'log-and-ignore',
  SIGPWR: 'log-and-ignore',
  SIGSTKFLT: 'log-and-ignore',
} as const satisfies Record<string, SignalAction>;

export type HandledSignal = keyof typeof SIGNAL_ACTIONS;
// SIGPWR and SIGSTKFLT are Linux's own; elsewhere they are not signals and are left out.
export const HANDLED_SIGNALS = (Object.keys(SIGNAL_ACTIONS) as HandledSignal[]).filter(
  (signal) => signal in constants.signals,
);

/**
 * The action for a signal; `sigintCount` counts SIGINTs received so far, this one included.
 *
 * @example
 * getSignalAction('SIGHUP', 0); // 'reload'
 * getSignalAction('SIGINT', 3); // 'force-exit'
 */
export function getSignalAction(signal: HandledSignal, sigintCount: number): SignalAction {
  if (signal === 'SIGINT' && sigintCount >= FORCE_EXIT_SIGINT_COUNT) return 'force-exit';
  return SIGNAL_ACTIONS[signal];
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

const inspectorGuardCallbacks = new Set<() => void>();

/**
 * Keeps SIGUSR1 from opening Node's inspector, from now on and for good: Node opens it on
 * 127.0.0.1:9229 for anyone on the machine unless a SIGUSR1 listener exists. Call it before anything
 * slow. One listener per process, however many callers; `onSignal` hears each SIGUSR1 until the
 * returned function is called (the guard itself stays).
 *
 * @example
 * const unguard = guardInspectorSignal(() => logger.warn('SIGUSR1 before run(): ignored'));
 */
export function guardInspectorSignal(onSignal?: () => void): () => void {
  if (!process.listeners('SIGUSR1').includes(onGuardedSignal)) process.on('SIGUSR1', onGuardedSignal);
  if (!onSignal) return () => {};
  inspectorGuardCallbacks.add(onSignal);
  return () => inspectorGuardCallbacks.delete(onSignal);
}

function onGuardedSignal(): void {
  for (const callback of inspectorGuardCallbacks) callback();
}
