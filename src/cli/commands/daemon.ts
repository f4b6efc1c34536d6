import { resolve } from 'node:path';
import { BadArgumentError } from '../../errors.js';
import { parseCommandArgs } from '../args.js';
import { ensureDaemon, getDaemonEntry } from '../connection.js';
import { type CliContext, type Command, KEEPS_RUNNING } from '../context.js';
import { getDaemonInfo, shutdownDaemon, waitForExit } from '../daemon-control.js';
import { EXIT_DAEMON_UNAVAILABLE } from '../exit-codes.js';
import { type ProgramRow, print, printJson } from '../output.js';

// `tend daemon start|stop|restart|status|run`.

export const daemonCommand: Command = async (args, context) => {
  const [action, ...rest] = args;
  const { values, positionals } = parseCommandArgs(`daemon ${action ?? ''}`.trim(), rest, {
    json: { type: 'boolean' },
    ...(action === 'run' ? { file: { type: 'string', short: 'f' } } : {}),
  } as const);
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
      return run(values.file);
    default:
      throw new BadArgumentError(
        `daemon: expected start, stop, restart, status or run, got "${action ?? ''}"`,
      );
  }
};

async function status(context: CliContext, json: boolean): Promise<number> {
  const info = await getDaemonInfo(context);
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
  let info = await getDaemonInfo(context);
  const already = info !== null;
  if (!info) {
    await ensureDaemon(context.paths);
    info = await getDaemonInfo(context);
  }
  if (json) printJson({ running: info !== null, alreadyRunning: already, ...info });
  else
    print(
      already ? `tend daemon already running (pid ${info?.pid})` : `tend daemon started (pid ${info?.pid})`,
    );
  return 0;
}

async function stop(context: CliContext, json: boolean, stopPrograms: boolean): Promise<number> {
  const info = await getDaemonInfo(context);
  if (!info) {
    if (json) printJson({ stopped: false, running: false });
    else print('tend daemon is not running');
    return 0;
  }
  // What users asked to run stays asked for: those programs start again with the next daemon.
  const rows = await context.apiNoStart.call<ProgramRow[]>('GET', '/programs');
  const comeBack = rows.filter((row) => row.desired === 'running').length;
  await shutdownDaemon(context, info.pid, stopPrograms);
  if (json)
    printJson({ stopped: true, pid: info.pid, programsStopped: stopPrograms, willStartAgain: comeBack });
  else {
    print(`tend daemon stopped (pid ${info.pid})${stopPrograms ? '' : '; programs left running'}`);
    if (stopPrograms && comeBack > 0)
      print(
        `${comeBack} program${comeBack === 1 ? '' : 's'} will start again with the next daemon; \`tend stop all\` first keeps them stopped`,
      );
  }
  return 0;
}

async function restart(context: CliContext, json: boolean): Promise<number> {
  const before = await getDaemonInfo(context);
  // The daemon hands over to its successor itself (src/daemon/handoff.ts) and exits once it serves.
  if (before) {
    await context.apiNoStart.call('POST', '/daemon/restart');
    await waitForExit(before.pid);
  }
  let after = await getDaemonInfo(context);
  if (!after) {
    await ensureDaemon(context.paths);
    after = await getDaemonInfo(context);
  }
  if (json) printJson({ previousPid: before?.pid ?? null, ...after });
  else print(`tend daemon restarted (pid ${before?.pid ?? '-'} → ${after?.pid}); programs kept running`);
  return 0;
}

/** The daemon in the foreground (systemd, containers); -f applies a config file at start. */
async function run(file: string | undefined): Promise<typeof KEEPS_RUNNING> {
  const entry = (await import(getDaemonEntry())) as {
    startDaemon(options: { logToFile: boolean; configFile?: string }): Promise<void>;
  };
  await entry.startDaemon({ logToFile: false, ...(file ? { configFile: resolve(file) } : {}) });
  return KEEPS_RUNNING;
}
