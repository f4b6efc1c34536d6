import { RESOURCE_CONTROLLERS, type ResourceController, type ResourceLimits } from './cgroup.js';

// Which cgroup carries each limit: the v2 cgroup where the daemon's v2 tree has the controller, else
// the v1 cgroup of a hierarchy that has it (a hybrid host), else none, and then a note that says why.

/** The cgroup that carries one limit. */
export interface LimitPlace {
  readonly version: 1 | 2;
  readonly cgroup: string;
}

/** What carries limits for the daemon: its v2 tree (enabled controllers) and v1 trees for the others. */
export interface LimitCgroups {
  readonly v2: { readonly path: string; readonly controllers: ReadonlySet<string> } | null;
  /** null where no cgroup may be used at all (no native spawner, TEND_NO_CGROUP=1). */
  readonly v1: {
    readonly trees: ReadonlyMap<ResourceController, string>;
    readonly failures: ReadonlyMap<ResourceController, string>;
  } | null;
  /** Why a controller is not in v2: not enabled there, or no v2 tree at all. */
  readonly whyNotV2: string;
}

/** For the daemon's log: where each controller's limits go. */
export function describeControllers(cgroups: LimitCgroups): string {
  const { v2, v1 } = cgroups;
  return RESOURCE_CONTROLLERS.map((name) => {
    if (v2?.controllers.has(name)) return `${name} in cgroup v2 ${v2.path}`;
    const tree = v1?.trees.get(name);
    return tree ? `${name} in cgroup v1 ${tree}` : `${name} not applied (${explainMissing(cgroups, name)})`;
  }).join('; ');
}

/** Where each of a program's limits goes (its v2 cgroup path, its v1 cgroups), and the note for the rest. */
export function placeLimits(
  cgroups: LimitCgroups,
  limits: ResourceLimits,
  v2Cgroup: string | null,
  v1Cgroups: { readonly places: ReadonlyMap<ResourceController, string> } | null,
): { limits: Partial<Record<ResourceController, LimitPlace>>; note: string | null } {
  const places: Partial<Record<ResourceController, LimitPlace>> = {};
  const missing: string[] = [];
  for (const name of RESOURCE_CONTROLLERS) {
    if (limits[name] === null) continue;
    const v1Path = v1Cgroups?.places.get(name);
    if (v2Cgroup !== null && cgroups.v2?.controllers.has(name))
      places[name] = { version: 2, cgroup: v2Cgroup };
    else if (v1Path !== undefined) places[name] = { version: 1, cgroup: v1Path };
    else missing.push(`no ${name} controller (${explainMissing(cgroups, name)})`);
  }
  return { limits: places, note: missing.length === 0 ? null : `limits not applied: ${missing.join('; ')}` };
}

function explainMissing({ v1, whyNotV2 }: LimitCgroups, name: ResourceController): string {
  if (!v1) return `no cgroup for this daemon: ${whyNotV2}`;
  return `cgroup v2: ${whyNotV2}; cgroup v1: ${v1.failures.get(name) ?? 'no tree'}`;
}
