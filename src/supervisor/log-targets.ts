import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { ProgramSpec } from '../config/program-schema.js';
import { BadArgumentError } from '../errors.js';
import { CONSOLE_TARGET } from '../logs/log-options.js';
import type { TendPaths } from '../paths.js';
import { cacheForTurn } from '../turn-cache.js';

// A log target is a file the daemon appends to, truncates on flush and rotates: pointed at its own
// database, socket or pid file, or at a FIFO or another program's log, it would corrupt what it
// depends on. Such a target is refused when the program is created or checked, nothing changed.

export interface LogTargets {
  readonly out: string;
  readonly err: string;
}

/** Throws when one of `spec`'s targets is one of TEND_HOME's internals or another program's log. */
export function checkLogTargets(
  spec: ProgramSpec,
  targets: LogTargets,
  paths: TendPaths,
  owners: ReadonlyMap<string, ProgramSpec>,
): void {
  const { internals, fifoDir } = getInternals(paths);
  for (const [stream, target] of Object.entries(targets) as [keyof LogTargets, string][]) {
    if (target === CONSOLE_TARGET || target.startsWith('/dev/')) continue;
    const path = canonical(target);
    const internal = internals.get(path);
    const refuse = (why: string) => {
      throw new BadArgumentError(
        `Program "${spec.name}": logs.${stream} ${target} is ${why}; choose a file of its own (or leave the default)`,
      );
    };
    if (internal) refuse(`the daemon's ${internal}`);
    if (path.startsWith(fifoDir)) refuse('inside TEND_HOME/fifo, where the programs’ output FIFOs live');
    const owner = owners.get(path);
    if (owner && !isSameProgram(spec, owner)) refuse(`the log of program "${owner.name}"`);
  }
}

/** Resolved once per turn of the event loop: `tend up` checks 100 programs against the same files. */
const getInternals = cacheForTurn((paths: TendPaths) => ({
  internals: resolveInternals(paths),
  fifoDir: canonical(paths.fifoDir) + sep,
}));

function resolveInternals(paths: TendPaths): Map<string, string> {
  const db = paths.database;
  return new Map([
    [canonical(paths.home), 'home (TEND_HOME)'],
    [canonical(db), 'database'],
    [canonical(`${db}-wal`), 'database journal'],
    [canonical(`${db}-shm`), 'database journal'],
    [canonical(`${db}-journal`), 'database journal'],
    [canonical(paths.pidFile), 'pid file'],
    [canonical(paths.socket), 'control socket'],
    [canonical(paths.daemonLog), 'own log'],
    [canonical(paths.fifoDir), 'FIFO folder'],
    [canonical(paths.logsDir), 'log folder'],
  ]);
}

/** The files a program's targets name, as keys of the owners map (console and devices left out). */
export function getLogTargetKeys(targets: LogTargets): string[] {
  return [targets.out, targets.err]
    .filter((target) => target !== CONSOLE_TARGET && !target.startsWith('/dev/'))
    .map((target) => canonical(target));
}

/** Instances of one program, and a program compared with its own earlier version, may share a file. */
function isSameProgram(a: ProgramSpec, b: ProgramSpec): boolean {
  if (a.name === b.name) return true;
  return a.instanceOf !== null && a.instanceOf === b.instanceOf;
}

// Two spellings of one file (a symlinked directory, "..") compare equal: the directory is resolved.
function canonical(path: string): string {
  const absolute = resolve(path);
  try {
    return join(realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    return absolute;
  }
}

/** Log file → the program writing it, for checkLogTargets; kept as programs come and go. */
export class LogTargetOwners {
  #owners = new Map<string, ProgramSpec>();
  #paths: TendPaths;
  #getTargets: (spec: ProgramSpec) => LogTargets;

  constructor(paths: TendPaths, getTargets: (spec: ProgramSpec) => LogTargets) {
    this.#paths = paths;
    this.#getTargets = getTargets;
  }

  /** Throws when a target of `spec` is one of TEND_HOME's internals or another program's log. */
  check(spec: ProgramSpec): void {
    checkLogTargets(spec, this.#getTargets(spec), this.#paths, this.#owners);
  }

  claim(spec: ProgramSpec): void {
    for (const key of getLogTargetKeys(this.#getTargets(spec))) this.#owners.set(key, spec);
  }

  release(spec: ProgramSpec): void {
    for (const key of getLogTargetKeys(this.#getTargets(spec)))
      if (this.#owners.get(key)?.name === spec.name) this.#owners.delete(key);
  }
}
