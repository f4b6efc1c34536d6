// An error nothing caught: the process would die with a stack on stderr and no stop hooks. Listening
// turns it into a call the daemon answers with its policy (`onUncaughtError`).

export type UncaughtOrigin = 'uncaughtException' | 'unhandledRejection';

/**
 * Reports uncaught exceptions and unhandled rejections instead of letting Node crash; returns a
 * function that stops listening.
 *
 * @example
 * const uninstall = installUncaughtHandlers((error, origin) => logger.error(origin, error));
 */
export function installUncaughtHandlers(
  onError: (error: unknown, origin: UncaughtOrigin) => void,
): () => void {
  const onException = (error: unknown) => onError(error, 'uncaughtException');
  const onRejection = (reason: unknown) => onError(reason, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
