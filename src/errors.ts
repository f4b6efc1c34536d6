// One base error with a stable code; each failure is a subclass that builds its message from the facts.
// HTTP statuses are mapped in api/http-status.ts, exit statuses in cli/exit-codes.ts.

export type ErrorCode =
  | 'BAD_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'BAD_ARGUMENT'
  | 'BAD_CONFIG'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'ALREADY_EXISTS'
  | 'ALREADY_STARTED'
  | 'NOT_RUNNING'
  | 'COMMAND_NOT_FOUND'
  | 'NOT_EXECUTABLE'
  | 'BAD_CWD'
  | 'SPAWN_FAILED'
  | 'DEPENDENCY_FAILED'
  | 'RELOAD_FAILED'
  | 'BAD_TRANSITION'
  | 'DAEMON_UNAVAILABLE'
  | 'DAEMON_LOCKED'
  | 'UNSAFE_PATH'
  | 'TIMEOUT'
  | 'STARTUP_FAILED'
  | 'NEEDS_ROOT'
  | 'NOT_SUPPORTED'
  | 'STATE_NOT_SAVED'
  | 'INTERNAL';

export class TendError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export class BadRequestError extends TendError {
  /** Where in the request (`body.restart`), and what was wrong there: a client can name its own flag. */
  readonly field: string;
  readonly problem: string;
  constructor(where: string, problem: string) {
    super('BAD_REQUEST', `Bad request: ${where}: ${problem}`);
    this.field = where;
    this.problem = problem;
  }
}

export class MethodNotAllowedError extends TendError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${allowed.join(', ')}`);
  }
}

export class PayloadTooLargeError extends TendError {
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `Request body is larger than ${limitBytes} bytes`);
  }
}

export class BadArgumentError extends TendError {
  constructor(message: string) {
    super('BAD_ARGUMENT', message);
  }
}

/** A config file problem: the message names the file, line and column, the key and what was wrong. */
export class ConfigError extends TendError {
  constructor(message: string) {
    super('BAD_CONFIG', message);
  }
}

export class ProgramNotFoundError extends TendError {
  constructor(name: string) {
    super('NOT_FOUND', `No program named "${name}"`);
  }
}

export class ProgramExistsError extends TendError {
  constructor(name: string) {
    super('ALREADY_EXISTS', `A program named "${name}" already exists`);
  }
}

export class AlreadyStartedError extends TendError {
  constructor(name: string, state: string, pid: number | null) {
    super('ALREADY_STARTED', `Program "${name}" is already ${state}${pid ? ` (pid ${pid})` : ''}`);
  }
}

export class NotRunningError extends TendError {
  constructor(name: string, state: string) {
    super('NOT_RUNNING', `Program "${name}" is not running (${state})`);
  }
}

export class CommandNotFoundError extends TendError {
  constructor(command: string, searched: string) {
    super('COMMAND_NOT_FOUND', `Command "${command}" not found (searched ${searched})`);
  }
}

export class NotExecutableError extends TendError {
  constructor(path: string) {
    super('NOT_EXECUTABLE', `"${path}" is not an executable file`);
  }
}

export class BadCwdError extends TendError {
  constructor(cwd: string) {
    super('BAD_CWD', `Working directory "${cwd}" does not exist or is not a directory`);
  }
}

/** What would keep one program of a request from starting, by program and key (for file positions). */
export interface ProgramProblem {
  readonly program: string;
  readonly key: string;
  readonly message: string;
}

/** Several programs (`tend up`) that cannot start as declared: every problem at once, nothing changed. */
export class ProgramProblemsError extends TendError {
  readonly problems: readonly ProgramProblem[];
  constructor(problems: readonly ProgramProblem[], code: ErrorCode) {
    super(
      code,
      problems
        .map((problem) => `Program "${problem.program}": ${problem.key}: ${problem.message}`)
        .join('\n'),
    );
    this.problems = problems;
  }
}

export class SpawnFailedError extends TendError {
  constructor(name: string, reason: string, cause?: unknown) {
    super('SPAWN_FAILED', `Program "${name}" could not be started: ${reason}`, { cause });
  }
}

/** A step between fork and exec failed (exec itself, chdir, setuid, …); exitCode is what a shell would say. */
export class ExecFailedError extends SpawnFailedError {
  readonly exitCode: number;
  readonly errnoCode: string;
  constructor(name: string, step: string, errnoCode: string, detail: string, exitCode: number) {
    super(name, `${step} failed: ${errnoCode} (${detail}); exit status ${exitCode}`);
    this.exitCode = exitCode;
    this.errnoCode = errnoCode;
  }
}

export class BadTransitionError extends TendError {
  constructor(name: string, state: string, event: string) {
    super('BAD_TRANSITION', `Program "${name}": event "${event}" is impossible in state "${state}"`);
  }
}

export class DaemonUnavailableError extends TendError {
  constructor(why: string, cause?: unknown) {
    super('DAEMON_UNAVAILABLE', `The tend daemon is not reachable: ${why}`, { cause });
  }
}

/** Read-only commands never start a daemon: they say so, and how to start one. */
export class DaemonNotRunningError extends TendError {
  constructor(home: string, cause?: unknown) {
    super(
      'DAEMON_UNAVAILABLE',
      `The tend daemon is not running (home ${home}); start it with: tend daemon start (it also starts the programs that were meant to run)`,
      { cause },
    );
  }
}

export class DaemonLockedError extends TendError {
  constructor(home: string, pid: number | null) {
    super('DAEMON_LOCKED', `Another tend daemon${pid ? ` (pid ${pid})` : ''} already owns ${home}`);
  }
}

/** A path tend would trust (TEND_HOME, its database, socket, FIFOs, a log file) that another user could control. */
export class UnsafePathError extends TendError {
  constructor(what: string, path: string, why: string) {
    super('UNSAFE_PATH', `Refusing ${what} ${path}: ${why}`);
  }
}

/** A reload whose new process did not become ready: the old process still runs. */
export class ReloadFailedError extends TendError {
  constructor(name: string, why: string) {
    super('RELOAD_FAILED', `Program "${name}" was not reloaded: ${why}`);
  }
}

export class TimeoutError extends TendError {
  constructor(what: string, ms: number) {
    super('TIMEOUT', `Timed out after ${ms} ms waiting for ${what}`);
  }
}

export class StartupFailedError extends TendError {
  constructor(command: string, status: number | null, output: string) {
    const said = output ? `: ${output.split('\n').slice(0, 5).join(' / ')}` : '';
    super(
      'STARTUP_FAILED',
      `\`${command}\` failed (${status === null ? 'could not run' : `exit ${status}`})${said}`,
    );
  }
}

export class NeedsRootError extends TendError {
  constructor(what: string, sudoLine: string) {
    super('NEEDS_ROOT', `${what} needs root; run:\n  ${sudoLine}`);
  }
}

export class RestartRefusedError extends TendError {
  constructor(why: string) {
    super('NOT_SUPPORTED', `The daemon cannot restart in place: ${why}; stop and start it instead`);
  }
}

export function isTendError(error: unknown): error is TendError {
  return error instanceof TendError;
}

/**
 * The database refused a write (a full disk, most often). What the user asked is not done: a stop
 * that could not be recorded would be undone by the next daemon.
 */
export class StateNotSavedError extends TendError {
  constructor(name: string, what: string, cause: unknown) {
    super(
      'STATE_NOT_SAVED',
      `Cannot ${what} program "${name}": the database refused the write (${(cause as Error).message}); nothing was changed`,
      { cause },
    );
  }
}
