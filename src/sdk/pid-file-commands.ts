import { normalizeSignal } from '../signals.js';
import { getPidFileStatus, isProcessAlive, removePidFile } from './pid-file.js';

// The control commands that work through the pid file alone (stop, status, reload, signal), their
// parser, and the exit codes of LSB init scripts (LSB 3.1, section 20.2):
//   status:  0 running · 1 dead, pid file remains · 3 not running · 4 unknown
//   others:  0 success · 1 generic error · 2 invalid arguments · 3 unimplemented ·
//            4 insufficient privilege · 7 not running
// As LSB asks, `start` of a running daemon and `stop` of a stopped one succeed (0).

/**
 * The LSB init-script exit codes `control()` uses.
 *
 * @example
 * if (code === LSB_EXIT.NOT_RUNNING) console.error('start it first');
 */
export const LSB_EXIT = {
  SUCCESS: 0,
  GENERIC_ERROR: 1,
  INVALID_ARGUMENTS: 2,
  UNIMPLEMENTED: 3,
  INSUFFICIENT_PRIVILEGE: 4,
  NOT_RUNNING: 7,
} as const;

/**
 * The LSB exit codes of `status`.
 *
 * @example
 * process.exitCode = LSB_STATUS.DEAD_WITH_PID_FILE;
 */
export const LSB_STATUS = {
  RUNNING: 0,
  DEAD_WITH_PID_FILE: 1,
  NOT_RUNNING: 3,
  UNKNOWN: 4,
} as const;

const WAIT_POLL_MS = 50;
const KILL_WAIT_MS = 5000;

export const CONTROL_USAGE = 'start|stop|restart|status|reload|run|signal <SIGNAL>';

export type ControlCommand =
  | { name: 'start' | 'stop' | 'restart' | 'status' | 'reload' | 'run' }
  | { name: 'signal'; signal: NodeJS.Signals };

/**
 * Parses the words after the script name; a string is what was wrong.
 *
 * @example
 * parseControlArgs(['signal', 'USR1']); // { name: 'signal', signal: 'SIGUSR1' }
 * parseControlArgs(['jump']);           // 'unknown command "jump"'
 */
export function parseControlArgs(args: readonly string[]): ControlCommand | string {
  const [name, ...rest] = args;
  if (name === undefined) return 'no command given';
  if (name === 'signal') {
    if (rest.length !== 1) return 'signal needs exactly one signal name, such as USR1';
    const signal = normalizeSignal(rest[0] as string);
    return signal ? { name, signal } : `unknown signal "${rest[0]}"`;
  }
  if (!['start', 'stop', 'restart', 'status', 'reload', 'run'].includes(name))
    return `unknown command "${name}"`;
  if (rest.length > 0) return `${name} takes no arguments (got ${rest.join(' ')})`;
  return { name } as ControlCommand;
}

/** What the pid-file commands need to know about the daemon, and where they print. */
export interface ControlTarget {
  readonly name: string;
  readonly pidFile: string;
  readonly stopTimeoutMs: number;
  print(line: string): void;
}

/**
 * Runs `stop`, `status`, `reload` or `signal` against the daemon named in the pid file; returns the
 * LSB exit code. (`start`, `restart` and `run` need the daemon itself: `daemon.control()`.)
 *
 * @example
 * const code = await runPidFileCommand({ name: 'signal', signal: 'SIGUSR1' }, target);
 */
export async function runPidFileCommand(command: ControlCommand, target: ControlTarget): Promise<number> {
  switch (command.name) {
    case 'status':
      return getStatus(target);
    case 'stop':
      return stop(target);
    case 'reload':
      return sendSignal(target, 'SIGHUP');
    case 'signal':
      return sendSignal(target, command.signal);
    default:
      target.print(`${command.name} is not a pid-file command`);
      return LSB_EXIT.UNIMPLEMENTED;
  }
}

function getStatus(target: ControlTarget): number {
  const status = getPidFileStatus(target.pidFile);
  if (status.state === 'running') {
    target.print(`${target.name} is running (pid ${status.pid})`);
    return LSB_STATUS.RUNNING;
  }
  if (status.state === 'dead') {
    target.print(`${target.name} is not running, but its pid file ${target.pidFile} remains`);
    return LSB_STATUS.DEAD_WITH_PID_FILE;
  }
  target.print(`${target.name} is not running`);
  return LSB_STATUS.NOT_RUNNING;
}

/** SIGTERM, then up to the stop timeout for the stop hooks, then SIGKILL. */
export async function stop(target: ControlTarget): Promise<number> {
  const status = getPidFileStatus(target.pidFile);
  if (status.state !== 'running') {
    if (status.state === 'dead' && status.pid !== null) removePidFile(target.pidFile, status.pid);
    target.print(`${target.name} is not running`);
    return LSB_EXIT.SUCCESS;
  }
  const { pid } = status;
  process.kill(pid, 'SIGTERM');
  // The daemon exits on its own at its stop deadline; the extra second covers its exit itself.
  if (await waitForExit(pid, target.stopTimeoutMs + 1000)) {
    target.print(`${target.name} stopped (pid ${pid})`);
    return LSB_EXIT.SUCCESS;
  }
  process.kill(pid, 'SIGKILL');
  const killed = await waitForExit(pid, KILL_WAIT_MS);
  if (killed) removePidFile(target.pidFile, pid);
  target.print(
    killed
      ? `${target.name} did not stop within ${target.stopTimeoutMs} ms and was killed (pid ${pid})`
      : `${target.name} (pid ${pid}) survived SIGKILL`,
  );
  return killed ? LSB_EXIT.SUCCESS : LSB_EXIT.GENERIC_ERROR;
}

function sendSignal(target: ControlTarget, signal: NodeJS.Signals): number {
  const status = getPidFileStatus(target.pidFile);
  if (status.state !== 'running') {
    target.print(`${target.name} is not running`);
    return LSB_EXIT.NOT_RUNNING;
  }
  process.kill(status.pid, signal);
  target.print(`sent ${signal} to ${target.name} (pid ${status.pid})`);
  return LSB_EXIT.SUCCESS;
}

// Not our child, so there is no exit event to wait for: poll, with a deadline.
async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
  return true;
}
