import { BadArgumentError, isTendError, TimeoutError } from '../../errors.js';
import { isRunning } from '../../supervisor/proc.js';
import { parseCommandArgs } from '../args.js';
import { ensureDaemon, getDaemonEntry } from '../connection.js';
import type { CliContext, Command } from '../context.js';
import { EXIT_DAEMON_UNAVAILABLE } from '../exit-codes.js';
import { print, printJson } from '../output.js';

// `tend daemon start|stop|restart|status|run`.

const DAEMON_EXIT_TIMEOUT_MS = 120_000;
const EXIT_POLL_MS = 20;

interface DaemonInfo {
  pid: number;
  version: string;
  apiVersion: string;
  startedAt: string;
  home: string;
  programs: number;
}

export const daemonCommand: Command = async (args, context) => {
  const [action, ...rest] = args;
  const { values, positionals } = parseCommandArgs(`daemon ${action ?? ''}`.trim(), rest, {
    json: { type: 'boolean' },
  });
  if (positionals.length > 0)
    throw new BadArgumentError(`daemon ${action}: unexpected argument "${positionals[0]}"`);
  const json = values.json === true;
  switch (action) {
    case 'status':
      return status(context, json);
    case 'start':
      return start(context, json);
    case 'stop':
      return stop(context, json, true);
    case 'restart':
      return restart(context, json);
    case 'run':
      await import(getDaemonEntry());
      return -1;
    default:
      throw new BadArgumentError(
        `daemon: expected start, stop, restart, status or run, got "${action ?? ''}"`,
      );
  }
};

async function getInfo(context: CliContext): Promise<DaemonInfo | null> {
  try {
    return await context.apiNoStart.call<DaemonInfo>('GET', '/daemon');
  } catch (error) {
    if (isTendError(error) && error.code === 'DAEMON_UNAVAILABLE') return null;
    throw error;
  }
}

async function status(context: CliContext, json: boolean): Promise<number> {
  const info = await getInfo(context);
  if (json)
    printJson(
      info
        ? { running: true, ...info }
        : { running: false, pid: null, version: null, home: context.paths.home },
    );
  else if (info)
    print(
      `tend daemon ${info.version} running (pid ${info.pid}, ${info.programs} programs, since ${info.startedAt})`,
    );
  else print(`tend daemon is not running (home ${context.paths.home})`);
  return info ? 0 : EXIT_DAEMON_UNAVAILABLE;
}

async function start(context: CliContext, json: boolean): Promise<number> {
  let info = await getInfo(context);
  const already = info !== null;
  if (!info) {
    await ensureDaemon(context.paths);
    info = await getInfo(context);
  }
  if (json) printJson({ running: info !== null, alreadyRunning: already, ...info });
  else
    print(
      already ? `tend daemon already running (pid ${info?.pid})` : `tend daemon started (pid ${info?.pid})`,
    );
  return 0;
}

async function stop(context: CliContext, json: boolean, stopPrograms: boolean): Promise<number> {
  const info = await getInfo(context);
  if (!info) {
    if (json) printJson({ stopped: false, running: false });
    else print('tend daemon is not running');
    return 0;
  }
  await context.apiNoStart.call('POST', '/daemon/shutdown', { stopPrograms });
  await waitForExit(info.pid);
  if (json) printJson({ stopped: true, pid: info.pid, programsStopped: stopPrograms });
  else print(`tend daemon stopped (pid ${info.pid})${stopPrograms ? '' : '; programs left running'}`);
  return 0;
}

async function restart(context: CliContext, json: boolean): Promise<number> {
  const before = await getInfo(context);
  if (before) {
    await context.apiNoStart.call('POST', '/daemon/shutdown', { stopPrograms: false });
    await waitForExit(before.pid);
  }
  await ensureDaemon(context.paths);
  const after = await getInfo(context);
  if (json) printJson({ previousPid: before?.pid ?? null, ...after });
  else print(`tend daemon restarted (pid ${before?.pid ?? '-'} → ${after?.pid}); programs kept running`);
  return 0;
}

async function waitForExit(pid: number): Promise<void> {
  const deadline = Date.now() + DAEMON_EXIT_TIMEOUT_MS;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new TimeoutError(`daemon pid ${pid} to exit`, DAEMON_EXIT_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, EXIT_POLL_MS));
  }
}
