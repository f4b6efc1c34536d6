import { basename } from 'node:path';
import { isDetachedCopy } from './detach.js';
import { DaemonAlreadyRunningError } from './errors.js';
import { writeAllSync } from './logger.js';
import {
  CONTROL_USAGE,
  type ControlTarget,
  LSB_EXIT,
  LSB_STATUS,
  parseControlArgs,
  runPidFileCommand,
  stop,
} from './pid-file-commands.js';
import type { Daemon } from './types.js';

// `node my-daemon.js start|stop|restart|status|reload|run|signal USR1`: the "sleepy daemon" control
// script. `start` detaches and the detached copy (re-executed with the same argv) runs the daemon;
// `run` runs it in the foreground with its pid file; the rest works through the pid file alone.
// This is an entry point: it prints (stdout for results, stderr for errors) and exits with LSB codes.

export interface ControlSettings {
  readonly pidFile: string;
  readonly stopTimeoutMs: number;
  /** Makes `run()` take the pid file, so `stop` and `status` find a foreground daemon too. */
  takePidFileOnRun(): void;
}

/**
 * Runs one control command for `daemon`; `daemon.control(argv)` calls it.
 *
 * @example
 * await runControl(daemon, ['node', 'news.js', 'status'], settings); // prints "news is running (pid 4121)", exits 0
 */
export async function runControl(
  daemon: Daemon,
  argv: readonly string[],
  settings: ControlSettings,
): Promise<void> {
  const target: ControlTarget = {
    name: daemon.name,
    pidFile: settings.pidFile,
    stopTimeoutMs: settings.stopTimeoutMs,
    print: (line) => writeAllSync(1, Buffer.from(`${line}\n`)),
  };
  // The detached copy is re-executed with the starting command's argv (start or restart): it runs.
  const command = isDetachedCopy() ? { name: 'start' as const } : parseControlArgs(argv.slice(2));
  if (typeof command === 'string') {
    const usage = `usage: ${basename(argv[1] ?? daemon.name)} ${CONTROL_USAGE}`;
    return fail(`${daemon.name}: ${command}\n${usage}`, LSB_EXIT.INVALID_ARGUMENTS);
  }
  try {
    switch (command.name) {
      case 'run':
        settings.takePidFileOnRun();
        return await daemon.run();
      case 'start':
        return await start(daemon, target);
      case 'restart': {
        const stopped = await stop(target);
        if (stopped !== LSB_EXIT.SUCCESS) return exit(stopped);
        return await start(daemon, target);
      }
      default:
        return exit(await runPidFileCommand(command, target));
    }
  } catch (error) {
    return fail(`${daemon.name}: ${(error as Error).message}`, getErrorExitCode(command.name, error));
  }
}

async function start(daemon: Daemon, target: ControlTarget): Promise<void> {
  try {
    await daemon.detach();
  } catch (error) {
    if (!(error instanceof DaemonAlreadyRunningError)) throw error;
    target.print(`${daemon.name} is already running (pid ${error.pid})`);
    return exit(LSB_EXIT.SUCCESS);
  }
  await daemon.run();
}

// LSB: status has its own table, where 1 would mean "dead, pid file remains" and 4 is "unknown".
function getErrorExitCode(command: string, error: unknown): number {
  if ((error as NodeJS.ErrnoException).code === 'EPERM') return LSB_EXIT.INSUFFICIENT_PRIVILEGE;
  return command === 'status' ? LSB_STATUS.UNKNOWN : LSB_EXIT.GENERIC_ERROR;
}

function fail(message: string, code: number): never {
  writeAllSync(2, Buffer.from(`${message}\n`));
  return exit(code);
}

function exit(code: number): never {
  process.exit(code);
}
