// Where the cgroup hierarchies are, read from what the kernel prints (/proc/self/mountinfo and
// /proc/self/cgroup), never from a hard-coded path: a cgroup2 mount (`… - cgroup2 cgroup2 rw`), and
// on a hybrid host cgroup v1 mounts, one per hierarchy, whose super options name their controllers
// (`… - cgroup cgroup rw,memory`, or `rw,cpu,cpuacct` for two mounted together).
import { join } from 'node:path';

export interface CgroupMount {
  readonly mountPoint: string;
  /** The part of the hierarchy this mount shows (`/` unless bind-mounted, as in a container). */
  readonly root: string;
}

/** The cgroup2 mount point in /proc/self/mountinfo text, with the root it shows; null when none. */
export function findCgroup2Mount(mountinfo: string): CgroupMount | null {
  return findMount(mountinfo, (type) => type === 'cgroup2');
}

/** The cgroup v1 hierarchy that has `controller` (its first mount); null when none is mounted. */
export function findCgroupV1Mount(mountinfo: string, controller: string): CgroupMount | null {
  return findMount(
    mountinfo,
    (type, options) => type === 'cgroup' && options.split(',').includes(controller),
  );
}

/** The unified hierarchy's path (`0::/path`) in /proc/self/cgroup text; null when none. */
export function findOwnCgroup(procCgroup: string): string | null {
  const line = procCgroup.split('\n').find((candidate) => candidate.startsWith('0::'));
  return line ? line.slice(3).trim() : null;
}

/** This process's cgroup in the v1 hierarchy of `controller` (`4:memory:/path`); null when none. */
export function findOwnV1Cgroup(procCgroup: string, controller: string): string | null {
  for (const line of procCgroup.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]+):(.*)$/.exec(line.trim()) ?? [];
    if (controllers?.split(',').includes(controller) && path !== undefined) return path;
  }
  return null;
}

/** The directory of cgroup `own` (as /proc/self/cgroup says) under `mount`. */
export function getCgroupDirectory(mount: CgroupMount, own: string): string {
  return join(mount.mountPoint, own.startsWith(mount.root) ? own.slice(mount.root.length) : own);
}

function findMount(
  mountinfo: string,
  matches: (type: string, superOptions: string) => boolean,
): CgroupMount | null {
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (!before || !after) continue;
    const [type = '', , superOptions = ''] = after.split(' ');
    if (!matches(type, superOptions)) continue;
    const fields = before.split(' ');
    const root = unescapeMountPath(fields[3] ?? '/');
    const mountPoint = unescapeMountPath(fields[4] ?? '');
    if (mountPoint) return { mountPoint, root };
  }
  return null;
}

function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
