import { TendError } from '../errors.js';

// The toolkit's failures, on tend's one error base (a stable `code`, a message built from the facts).

/**
 * A second copy of a daemon refused to start: the pid file names a live process of the same program.
 *
 * @example
 * try {
 *   await daemon.detach();
 * } catch (error) {
 *   if (error instanceof DaemonAlreadyRunningError) console.log(`already running as ${error.pid}`);
 * }
 */
export class DaemonAlreadyRunningError extends TendError {
  readonly pid: number;
  readonly pidFile: string;
  constructor(name: string, pid: number, pidFile: string) {
    super('ALREADY_STARTED', `Daemon "${name}" is already running (pid ${pid}, pid file ${pidFile})`);
    this.pid = pid;
    this.pidFile = pidFile;
  }
}

/**
 * A lifecycle call made in the wrong state, such as `run()` twice or `detach()` after `run()`.
 *
 * @example
 * await daemon.run().catch((error) => error instanceof DaemonStateError && console.error(error.message));
 */
export class DaemonStateError extends TendError {
  constructor(name: string, state: string, action: string) {
    super('BAD_TRANSITION', `Daemon "${name}": cannot ${action} while ${state}`);
  }
}

/**
 * The detached copy of the daemon exited, or said it failed, before it was ready.
 *
 * @example
 * await daemon.detach().catch((error) => {
 *   if (error instanceof DetachFailedError) console.error(error.message); // ... could not start in the background: ...
 *   process.exit(1);
 * });
 */
export class DetachFailedError extends TendError {
  constructor(name: string, reason: string, cause?: unknown) {
    super('SPAWN_FAILED', `Daemon "${name}" could not start in the background: ${reason}`, { cause });
  }
}
