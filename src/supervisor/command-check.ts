import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { ProgramSpec } from '../config/program-schema.js';
import { BadArgumentError, BadCwdError, CommandNotFoundError, NotExecutableError } from '../errors.js';
import { getNativeHelper } from '../native.js';
import { LISTEN_FDS_START } from '../process/spawn.js';
import { getLaunch } from './launch.js';

// Checked before a program is created, so `tend start -- nosuchcmd` fails at once and changes nothing.
// A shell command string is left to the shell (it reports 127 itself).

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

export function checkProgramCanStart(spec: ProgramSpec, daemonPath: string | undefined): void {
  checkCwd(spec.cwd);
  getLaunch(spec);
  if (spec.ready === 'notify' && !getNativeHelper()?.bindNotifySocket) {
    throw new BadArgumentError(
      `Program "${spec.name}": ready: notify needs tend's native helper (Linux; built by npm install)`,
    );
  }
  checkSockets(spec);
  if (typeof spec.command === 'string') return;
  const [file] = spec.command;
  if (file) resolveExecutable(file, spec.cwd, spec.env.PATH ?? daemonPath);
}
