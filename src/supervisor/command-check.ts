import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { findGroupId, findUser } from '../accounts.js';
import type { ProgramSpec } from '../config/program-schema.js';
import { getShellScript } from '../config/shell-command.js';
import {
  BadArgumentError,
  BadCwdError,
  CommandNotFoundError,
  NotExecutableError,
  type TendError,
} from '../errors.js';
import { getNativeHelper } from '../native.js';
import { LISTEN_FDS_START } from '../process/spawn.js';
import { getLaunch } from './launch.js';

// Checked before a program is created, so `tend start -- nosuchcmd` fails at once and changes nothing.
// A command string that is one simple command (the shell execs it) is checked like an argv; a real
// shell script (pipes, lists, variables) is left to the shell, which reports 127 itself.

/** One reason a program cannot start as declared, and the key of its spec that says so. */
export interface StartProblem {
  readonly key: 'cwd' | 'command' | 'user' | 'group' | 'ready' | 'sockets' | 'logs';
  readonly error: TendError;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function checkCwd(cwd: string): void {
  try {
    if (statSync(cwd).isDirectory()) return;
  } catch {
    // reported below
  }
  throw new BadCwdError(cwd);
}

export function resolveExecutable(command: string, cwd: string, pathVariable: string | undefined): string {
  if (command.includes('/')) {
    const full = isAbsolute(command) ? command : resolve(cwd, command);
    try {
      statSync(full);
    } catch {
      throw new CommandNotFoundError(command, cwd);
    }
    if (!isExecutableFile(full)) throw new NotExecutableError(full);
    return full;
  }
  const dirs = (pathVariable ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(resolve(cwd, dir), command);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new CommandNotFoundError(command, dirs.length > 0 ? `PATH=${dirs.join(delimiter)}` : 'an empty PATH');
}

/** Held sockets take fds 3, 4, …: the readiness fd must come after them; they need the helper. */
function checkSockets(spec: ProgramSpec): void {
  if (spec.activation === 'socket' && spec.sockets.length === 0) {
    throw new BadArgumentError(`Program "${spec.name}": activation: socket needs sockets to listen on`);
  }
  if (spec.sockets.length === 0) return;
  if (!getNativeHelper()?.listenTcp) {
    throw new BadArgumentError(
      `Program "${spec.name}": sockets need tend's native helper (Linux; built by npm install)`,
    );
  }
  const lastSocketFd = LISTEN_FDS_START + spec.sockets.length - 1;
  if (spec.ready === 'fd' && spec.readyFd <= lastSocketFd) {
    throw new BadArgumentError(
      `Program "${spec.name}": readyFd ${spec.readyFd} is taken by its sockets (fds ${LISTEN_FDS_START}–${lastSocketFd}); set readyFd to ${lastSocketFd + 1} or more`,
    );
  }
}

/** The program a command string runs when the shell execs it, if its first word is a plain word. */
export function getExecutedFile(command: string): string | null {
  const script = getShellScript(command);
  if (!script.startsWith('exec ')) return null;
  const first = script.slice('exec '.length).split(/\s/, 1)[0] ?? '';
  // Quotes, expansions and globs are the shell's to read; only a plain word is checked.
  return /^[\w@%+=:,./-]+$/.test(first) ? first : null;
}

function attempt(key: StartProblem['key'], check: () => void): StartProblem[] {
  try {
    check();
    return [];
  } catch (error) {
    return [{ key, error: error as TendError }];
  }
}

/** Every reason this spec cannot start here, each with its key; empty when it can. */
export function getStartProblems(spec: ProgramSpec, daemonPath: string | undefined): StartProblem[] {
  const problems = [
    ...attempt('cwd', () => checkCwd(spec.cwd)),
    ...(spec.user ? attempt('user', () => findUser(spec.user as string)) : []),
    ...(spec.group ? attempt('group', () => findGroupId(spec.group as string)) : []),
  ];
  // With the accounts known, what is left of the launch is whether this daemon may switch to them.
  if (!problems.some((problem) => problem.key === 'user' || problem.key === 'group')) {
    problems.push(...attempt(spec.user ? 'user' : 'group', () => getLaunch(spec)));
  }
  if (spec.ready === 'notify' && !getNativeHelper()?.bindNotifySocket) {
    const error = new BadArgumentError(
      `Program "${spec.name}": ready: notify needs tend's native helper (Linux; built by npm install)`,
    );
    problems.push({ key: 'ready', error });
  }
  problems.push(...attempt('sockets', () => checkSockets(spec)));
  const file = typeof spec.command === 'string' ? getExecutedFile(spec.command) : spec.command[0];
  if (file) {
    problems.push(
      ...attempt('command', () => resolveExecutable(file, spec.cwd, spec.env.PATH ?? daemonPath)),
    );
  }
  return problems;
}

export function checkProgramCanStart(spec: ProgramSpec, daemonPath: string | undefined): void {
  const [first] = getStartProblems(spec, daemonPath);
  if (first) throw first.error;
}
