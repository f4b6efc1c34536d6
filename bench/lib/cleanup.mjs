// Nothing the bench starts may outlive it. Every temporary home is named
// `<tmpdir>/tend-bench-<benchpid>-<peer>-…` and every child program carries `tendbench-<benchpid>-…`,
// so a sweep of /proc finds all of it: supervisors (by the home in their environment or argv) and
// children (by their marker). The sweep runs after each peer instance, on exit and on signals, and at
// start-up for what a crashed earlier bench (whose pid is gone) left behind.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  identify,
  isAlive,
  killQuietly,
  listPids,
  MARKER_PREFIX,
  readCmdline,
  readEnviron,
} from './proc.mjs';

export const HOME_PREFIX = 'tend-bench-';
const homes = new Set();

export function makeHome(peer) {
  const home = mkdtempSync(join(tmpdir(), `${HOME_PREFIX}${process.pid}-${peer}-`));
  homes.add(home);
  return home;
}

export function removeHome(home) {
  rmSync(home, { recursive: true, force: true });
  homes.delete(home);
}

function ownerOf(text) {
  const pattern = new RegExp(`(?:${HOME_PREFIX}|${MARKER_PREFIX})(\\d+)-`);
  const match = pattern.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * Finds the processes that belong to bench `owner` (this one by default, or any dead bench when
 * `orphans` is set): supervisors first (their homes), then child programs (their markers).
 */
export function findOurs({ orphans = false } = {}) {
  const supervisors = [];
  const children = [];
  const belongs = (owner) =>
    owner !== null && (orphans ? owner !== process.pid && !isAlive(owner) : owner === process.pid);
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    const id = identify(pid, true);
    if (id?.marker.startsWith(MARKER_PREFIX)) {
      if (belongs(ownerOf(id.marker))) children.push(pid);
      continue;
    }
    const text = `${readCmdline(pid)}\0${readEnviron(pid)}`;
    const at = text.indexOf(`${tmpdir()}/${HOME_PREFIX}`);
    if (at !== -1 && belongs(ownerOf(text.slice(at)))) supervisors.push(pid);
  }
  return { supervisors, children };
}

/** SIGKILLs whatever of ours is still alive; returns how many processes it had to kill. */
export function sweep({ orphans = false } = {}) {
  let killed = 0;
  // twice: a supervisor caught between the two passes may have spawned one more child
  for (let pass = 0; pass < 2; pass++) {
    const { supervisors, children } = findOurs({ orphans });
    for (const pid of supervisors) if (killQuietly(pid)) killed++;
    for (const pid of children) if (killQuietly(pid)) killed++;
  }
  return killed;
}

export function removeAllHomes() {
  for (const home of [...homes]) removeHome(home);
}

/** Leftovers of an earlier bench that died without cleaning up: its processes and its temp homes. */
export function sweepOrphans() {
  const killed = sweep({ orphans: true });
  let removed = 0;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(HOME_PREFIX)) continue;
    const owner = ownerOf(name);
    if (owner !== null && owner !== process.pid && !isAlive(owner)) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
      removed++;
    }
  }
  return { killed, removed };
}

let installed = false;
/** Sweeps on every way out: normal exit, an uncaught error, SIGINT/SIGTERM/SIGHUP. */
export function installExitHandlers() {
  if (installed) return;
  installed = true;
  const finalSweep = () => {
    try {
      sweep();
      // a supervisor killed a moment ago may have left a child that was mid-spawn
      sweep();
    } catch {}
    try {
      removeAllHomes();
    } catch {}
  };
  process.on('exit', finalSweep);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`bench: ${error.stack ?? error}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`bench: ${error?.stack ?? error}\n`);
    process.exit(1);
  });
}
