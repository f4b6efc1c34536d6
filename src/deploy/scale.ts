import { BadRequestError, ProgramNotFoundError } from '../errors.js';
import type { Supervisor } from '../supervisor/supervisor.js';

// `tend scale NAME N`: adds instances cloned from the newest one, or removes the newest ones.
// Running instances that stay are never touched.

export const MAX_INSTANCES = 1024;

export async function scaleProgram(
  supervisor: Supervisor,
  key: string,
  count: number,
): Promise<{ created: string[]; removed: string[] }> {
  if (!Number.isInteger(count) || count < 0 || count > MAX_INSTANCES) {
    throw new BadRequestError('instances', `expected an integer from 0 to ${MAX_INSTANCES}, got ${count}`);
  }
  const members = supervisor
    .list()
    .filter((snapshot) => (snapshot.spec.instanceOf ?? snapshot.spec.name) === key)
    .sort((a, b) => (a.spec.instance ?? 0) - (b.spec.instance ?? 0));
  const newest = members.at(-1);
  if (!newest) throw new ProgramNotFoundError(key);
  const created: string[] = [];
  const removed: string[] = [];
  const taken = new Set(supervisor.list().map((snapshot) => snapshot.spec.name));
  let next = (newest.spec.instance ?? 0) + 1;
  for (let total = members.length; total < count; total++) {
    while (taken.has(`${key}-${next}`)) next++;
    const name = `${key}-${next}`;
    const logs = {
      ...newest.spec.logs,
      out: getInstanceLogPath(newest.spec.logs.out, newest.spec.instance, next),
      err: getInstanceLogPath(newest.spec.logs.err, newest.spec.instance, next),
    };
    // The copy of TEND_INSTANCE a config file put in env follows the instance (launch sets the real one).
    const env = { ...newest.spec.env };
    if (env.TEND_INSTANCE !== undefined) env.TEND_INSTANCE = String(next);
    supervisor.create({ ...newest.spec, name, instanceOf: key, instance: next, logs, env }, true);
    taken.add(name);
    created.push(name);
    next++;
  }
  for (const member of members.slice(count).reverse()) {
    await supervisor.delete(member.spec.name);
    removed.push(member.spec.name);
  }
  return { created, removed };
}

/**
 * Two instances must never share a log file: `logs/api-1.log` becomes `logs/api-2.log`; a path that
 * does not name its instance falls back to the default per-program file.
 */
export function getInstanceLogPath(path: string | null, from: number | null, to: number): string | null {
  if (path === null || path === 'console' || path.startsWith('/dev/')) return path;
  const pattern = new RegExp(`-${from ?? 0}(\\.[^./]*)?$`);
  return pattern.test(path) ? path.replace(pattern, `-${to}$1`) : null;
}
