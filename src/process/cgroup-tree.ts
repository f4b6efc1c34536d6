import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTreeName, RESOURCE_CONTROLLERS, readText, removeEmptyPrograms } from './cgroup.js';
import { findCgroup2Mount, findOwnCgroup } from './cgroup-mounts.js';
import { ProgramCgroup } from './cgroup-program.js';

// cgroup v2, where the daemon may write one: a tree of the daemon's own under the cgroup it was
// started in (`tend-<hash of TEND_HOME>`), the daemon itself moved into its leaf `daemon` (a cgroup
// with children may hold no processes), and one cgroup per program instance beside it
// (`<name>.program`). A program's processes are all in its cgroup from before exec on, wherever they
// move their session or process group, so a stop reaches every one and `cgroup.kill` ends them all.

function readWords(path: string): Set<string> {
  return new Set((readText(path) ?? '').split(/\s+/).filter(Boolean));
}

/** The daemon's cgroup tree, once it has moved into it. */
export class CgroupTree {
  readonly path: string;
  /** Controllers the program cgroups get (enabled in the tree's cgroup.subtree_control). */
  readonly controllers: ReadonlySet<string>;

  readonly #base: string;

  private constructor(path: string, base: string, controllers: ReadonlySet<string>) {
    this.path = path;
    this.#base = base;
    this.controllers = controllers;
  }

  /**
   * Finds the cgroup2 hierarchy, makes the tree for `home` under the daemon's own cgroup and moves
   * the daemon (`pid`) into its leaf. Returns why not when it cannot (no cgroup2, not writable, …).
   */
  static setup(home: string, pid: number): CgroupTree | { readonly reason: string } {
    if (process.platform !== 'linux') return { reason: 'cgroups are a Linux feature' };
    const mount = findCgroup2Mount(readText('/proc/self/mountinfo') ?? '');
    if (!mount) return { reason: 'no cgroup2 hierarchy is mounted' };
    const own = findOwnCgroup(readText('/proc/self/cgroup') ?? '');
    if (own === null) return { reason: 'this process is in no cgroup2 cgroup' };
    const relative = own.startsWith(mount.root) ? own.slice(mount.root.length) : own;
    const base = join(mount.mountPoint, relative);
    const name = getTreeName(home);
    // A daemon started again inside its own tree (a program that restarts it) keeps that tree.
    const path = relative.endsWith(`/${name}/daemon`) ? join(base, '..') : join(base, name);
    try {
      mkdirSync(join(path, 'daemon'), { recursive: true });
      writeFileSync(join(path, 'daemon', 'cgroup.procs'), String(pid));
    } catch (error) {
      return {
        reason: `cannot write cgroups under ${base}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      };
    }
    removeEmptyPrograms(path);
    return new CgroupTree(path, base, enableControllers(base, path));
  }

  /**
   * On the daemon's way out: back into the cgroup it came from, and the tree removed if no program
   * is left in it (programs left running for the next daemon keep it). Best effort.
   */
  leave(pid: number): void {
    try {
      writeFileSync(join(this.#base, 'cgroup.procs'), String(pid));
      rmdirSync(join(this.path, 'daemon'));
      removeEmptyPrograms(this.path);
      rmdirSync(this.path);
    } catch {
      // the base takes no processes (controllers enabled below it), or programs still run
    }
  }

  program(name: string): ProgramCgroup {
    return new ProgramCgroup(join(this.path, `${name}.program`), this.controllers);
  }
}

/**
 * Enables memory, cpu and pids for the program cgroups where the parent offers them. The daemon's
 * own cgroup can pass them down only when it holds no process (or is the root); that is tried too.
 */
function enableControllers(base: string, tree: string): ReadonlySet<string> {
  const wanted = (available: Set<string>) =>
    RESOURCE_CONTROLLERS.filter((name) => available.has(name)).map((name) => `+${name}`);
  for (const [parent, offered] of [
    [base, join(base, 'cgroup.controllers')],
    [tree, join(tree, 'cgroup.controllers')],
  ] as const) {
    for (const controller of wanted(readWords(offered))) {
      try {
        writeFileSync(join(parent, 'cgroup.subtree_control'), controller);
      } catch {
        // EBUSY: processes in that cgroup; the controller stays off below it
      }
    }
  }
  return readWords(join(tree, 'cgroup.subtree_control'));
}
