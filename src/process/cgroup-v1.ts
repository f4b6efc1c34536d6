import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  getTreeName,
  type ResourceController,
  type ResourceLimits,
  readText,
  removeEmptyPrograms,
} from './cgroup.js';
import { findCgroupV1Mount, findOwnV1Cgroup, getCgroupDirectory } from './cgroup-mounts.js';
import { ProgramCgroupsV1 } from './cgroup-v1-program.js';

// cgroup v1, for the limits a hybrid host keeps out of its cgroup2 tree (Ubuntu 20.04, RHEL 8, many
// container hosts: memory, cpu and pids are v1 hierarchies of their own, and the cgroup2 mount offers
// none of them). In each hierarchy that has a controller the cgroup2 tree lacks, the daemon makes the
// same tree as in v2 (`tend-<hash>` under its own cgroup in that hierarchy, `<name>.program` per
// instance), and a program with a limit for that controller joins it before exec, beside its v2
// cgroup. Limits only: tracking and stop stay with cgroup v2, or with the process group and /proc
// sweep. The daemon itself stays where it is: a v1 cgroup with children may still hold processes.

/** Where a controller's v1 tree goes, or why it has none. */
export type V1TreePlan = { readonly tree: string } | { readonly reason: string };

/** Each controller's tree from /proc/self/mountinfo and /proc/self/cgroup text (nothing is written). */
export function planV1Trees(
  home: string,
  controllers: readonly ResourceController[],
  mountinfo: string,
  procCgroup: string,
): Map<ResourceController, V1TreePlan> {
  const plans = new Map<ResourceController, V1TreePlan>();
  for (const controller of controllers) {
    const mount = findCgroupV1Mount(mountinfo, controller);
    const own = findOwnV1Cgroup(procCgroup, controller);
    if (!mount) plans.set(controller, { reason: 'no hierarchy has it' });
    else if (own === null) plans.set(controller, { reason: `this process is in no ${controller} cgroup` });
    else plans.set(controller, { tree: join(getCgroupDirectory(mount, own), getTreeName(home)) });
  }
  return plans;
}

/** The daemon's trees in the v1 hierarchies, one per controller that has one. */
export class CgroupV1Trees {
  /** Controller → its tree's directory. */
  readonly trees: ReadonlyMap<ResourceController, string>;
  /** Controller → why it has no tree (no hierarchy, not writable). */
  readonly failures: ReadonlyMap<ResourceController, string>;

  private constructor(trees: Map<ResourceController, string>, failures: Map<ResourceController, string>) {
    this.trees = trees;
    this.failures = failures;
  }

  /** Makes the trees for `home` (removing the empty program cgroups a SIGKILLed daemon left). */
  static setup(home: string, controllers: readonly ResourceController[]): CgroupV1Trees {
    const trees = new Map<ResourceController, string>();
    const failures = new Map<ResourceController, string>();
    const plans = planV1Trees(
      home,
      controllers,
      readText('/proc/self/mountinfo') ?? '',
      readText('/proc/self/cgroup') ?? '',
    );
    for (const [controller, plan] of plans) {
      if ('reason' in plan) {
        failures.set(controller, plan.reason);
        continue;
      }
      try {
        mkdirSync(plan.tree, { recursive: true });
        removeEmptyPrograms(plan.tree);
        trees.set(controller, plan.tree);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        failures.set(controller, `cannot write ${plan.tree}: ${code}`);
      }
    }
    return new CgroupV1Trees(trees, failures);
  }

  /** The instance's v1 cgroups: one in each tree whose controller it has a limit for. */
  program(name: string, limits: ResourceLimits): ProgramCgroupsV1 {
    const places = new Map<ResourceController, string>();
    for (const [controller, tree] of this.trees) {
      if (limits[controller] !== null) places.set(controller, join(tree, `${name}.program`));
    }
    return new ProgramCgroupsV1(places);
  }

  /** On the daemon's way out: each tree removed if no program in it is still running. Best effort. */
  leave(): void {
    for (const tree of new Set(this.trees.values())) {
      try {
        removeEmptyPrograms(tree);
        rmdirSync(tree);
      } catch {
        // programs left running for the next daemon keep it
      }
    }
  }
}
