import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StartupFailedError } from '../errors.js';
import type { StartupPlan } from './startup-plan.js';

// Carries out a plan: write (or remove) the unit file, then run the init system's commands in
// order, stopping at the first that fails with what it said.

export type CommandRunner = (argv: readonly string[]) => { status: number | null; output: string };

export const runCommand: CommandRunner = (argv) => {
  const [command, ...args] = argv as [string, ...string[]];
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return { status: null, output: result.error.message };
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
};

// O_NOFOLLOW: a unit path that another user has made a symlink is refused, never written through.
const UNIT_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

export function writeUnit(plan: StartupPlan): void {
  mkdirSync(dirname(plan.unitPath), { recursive: true });
  const fd = openSync(plan.unitPath, UNIT_FLAGS, 0o644);
  try {
    writeFileSync(fd, plan.content);
  } finally {
    closeSync(fd);
  }
}

export function removeUnit(plan: StartupPlan): void {
  rmSync(plan.unitPath, { force: true });
}

/** Runs each command; throws StartupFailedError naming the first that fails. */
export function runCommands(commands: readonly (readonly string[])[], run: CommandRunner = runCommand): void {
  for (const argv of commands) {
    const result = run(argv);
    if (result.status !== 0) throw new StartupFailedError(argv.join(' '), result.status, result.output);
  }
}

/** The shell line that repeats this command as root, keeping PATH and TEND_HOME (pm2 prints the same kind). */
export function getSudoLine(argv: readonly string[], env: { PATH?: string; TEND_HOME: string }): string {
  const assignments = [`PATH=${env.PATH ?? ''}`, `TEND_HOME=${env.TEND_HOME}`];
  return ['sudo', 'env', ...assignments, ...argv].map(quoteShell).join(' ');
}

export function quoteShell(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
