import { findClosest } from '../did-you-mean.js';
import { isTendError } from '../errors.js';
import { getPaths } from '../paths.js';
import { VERSION } from '../version.js';
import {
  deleteCommand,
  reloadCommand,
  restartCommand,
  signalCommand,
  stopCommand,
} from './commands/control.js';
import { daemonCommand } from './commands/daemon.js';
import { exportCommand } from './commands/export.js';
import { helpCommand } from './commands/help.js';
import { importCommand } from './commands/import.js';
import { eventsCommand, listCommand, showCommand } from './commands/list.js';
import { flushCommand, logsCommand } from './commands/logs.js';
import { scaleCommand } from './commands/scale.js';
import { startCommand } from './commands/start.js';
import { startupCommand, unstartupCommand } from './commands/startup.js';
import { downCommand, upCommand } from './commands/up.js';
import { connect } from './connection.js';
import { type Command, KEEPS_RUNNING } from './context.js';
import { EXIT_FAILURE, EXIT_USAGE, getExitCode } from './exit-codes.js';
import { print, printError } from './output.js';

// The CLI: a thin client of the control API. Parses argv, calls one command, maps errors to exit codes.

const COMMANDS: Record<string, Command> = {
  start: startCommand,
  stop: stopCommand,
  restart: restartCommand,
  reload: reloadCommand,
  delete: deleteCommand,
  rm: deleteCommand,
  signal: signalCommand,
  ls: listCommand,
  list: listCommand,
  status: listCommand,
  show: showCommand,
  events: eventsCommand,
  logs: logsCommand,
  flush: flushCommand,
  scale: scaleCommand,
  up: upCommand,
  down: downCommand,
  import: importCommand,
  export: exportCommand,
  daemon: daemonCommand,
  startup: startupCommand,
  unstartup: unstartupCommand,
  help: helpCommand,
  '--help': helpCommand,
  '-h': helpCommand,
};

// Words from pm2 and supervisorctl habits, and what tend calls them.
const OTHER_TOOLS_WORDS: Record<string, string> = {
  describe: 'tend show NAME',
  info: 'tend show NAME',
  monit: 'tend ls, and tend logs -f',
  startOrReload: 'tend up (it applies only what changed; tend reload NAME reloads one program)',
  startOrRestart: 'tend up',
  save: 'nothing: tend keeps its programs in its database as they change',
  resurrect: 'tend daemon start (it brings back every program that was meant to run)',
  kill: 'tend daemon stop',
  update: 'tend up',
  tail: 'tend logs NAME -f',
};

function describeUnknownCommand(name: string): string {
  const theirs = OTHER_TOOLS_WORDS[name];
  if (theirs !== undefined) return `unknown command "${name}"; in tend that is: ${theirs}`;
  const verbs = Object.keys(COMMANDS).filter((verb) => !verb.startsWith('-'));
  const closest = findClosest(name, verbs);
  return `unknown command "${name}"${closest === undefined ? '' : ` (did you mean "${closest}"?)`} (see tend help)`;
}

export async function main(argv: string[]): Promise<number | typeof KEEPS_RUNNING> {
  const [name, ...args] = argv;
  if (name === undefined) {
    await helpCommand([], undefined as never);
    return EXIT_USAGE;
  }
  if (name === 'version' || name === '--version' || name === '-v') {
    print(VERSION);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    printError(describeUnknownCommand(name));
    return EXIT_USAGE;
  }
  const paths = getPaths();
  const context = {
    paths,
    api: connect(paths, { autoStart: true }),
    apiNoStart: connect(paths, { autoStart: false }),
  };
  try {
    return await command(args, context);
  } catch (error) {
    if (isTendError(error)) {
      printError(error.message);
      return getExitCode(error.code);
    }
    printError(`unexpected error: ${(error as Error).stack ?? String(error)}`);
    return EXIT_FAILURE;
  }
}

// `tend logs | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then((code) => {
  if (code !== KEEPS_RUNNING) process.exitCode = code;
});
