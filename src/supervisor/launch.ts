import { findGroupId, findSupplementaryGroups, findUser } from '../accounts.js';
import type { ProgramSpec } from '../config/program-schema.js';
import { getShellScript } from '../config/shell-command.js';
import { BadArgumentError } from '../errors.js';
import { cacheForTurn } from '../turn-cache.js';

// How a spec becomes an exec: argv (a shell for a command string, a umask wrapper when asked), the
// environment (the daemon's, the program's, per-instance values, tend's own) and the credentials.

export interface Launch {
  readonly argv: string[];
  readonly env: Record<string, string | undefined>;
  readonly uid?: number;
  readonly gid?: number;
  /** The user's supplementary groups (as initgroups would set them), with uid. */
  readonly groups?: readonly number[];
  readonly umask?: number;
}

export function getLaunch(spec: ProgramSpec): Launch {
  const argv =
    typeof spec.command === 'string' ? ['/bin/sh', '-c', getShellScript(spec.command)] : [...spec.command];
  const env = getChildEnv(spec);
  const credentials = getCredentials(spec, env);
  return { argv, env, ...credentials, ...(spec.umask ? { umask: Number.parseInt(spec.umask, 8) } : {}) };
}

/** The daemon's environment, read once per turn: process.env goes to C++ for every variable. */
const getDaemonEnv = cacheForTurn(
  (env: NodeJS.ProcessEnv): Record<string, string | undefined> => ({ ...env }),
);

/**
 * The daemon's environment, then the program's, then per-instance values and tend's own variables.
 * Python output is unbuffered unless the program says otherwise, so lines are not stuck in a buffer.
 */
export function getChildEnv(spec: ProgramSpec): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    ...getDaemonEnv(process.env),
    ...spec.env,
    TEND_PROGRAM: spec.name,
  };
  // The daemon sets its own TEND_HOME at start: a program can call `tend`, and a new daemon can tell
  // which session leaders are this home's programs (see lost-spawns.ts).
  if (process.env.TEND_HOME !== undefined) env.TEND_HOME = process.env.TEND_HOME;
  if (env.PYTHONUNBUFFERED === undefined) env.PYTHONUNBUFFERED = '1';
  if (spec.instance !== null) {
    env.TEND_INSTANCE = String(spec.instance);
    for (const name of spec.offsetEnv) {
      const base = Number(env[name]);
      if (Number.isInteger(base)) env[name] = String(base + spec.instance);
    }
  }
  return env;
}

function getCredentials(
  spec: ProgramSpec,
  env: Record<string, string | undefined>,
): { uid?: number; gid?: number; groups?: readonly number[] } {
  if (!spec.user && !spec.group) return {};
  const isRoot = process.getuid?.() === 0;
  const user = spec.user ? findUser(spec.user) : null;
  if (!isRoot && user && user.uid !== process.getuid?.()) {
    throw new BadArgumentError(
      `Program "${spec.name}" runs as user "${spec.user}", which needs a daemon running as root`,
    );
  }
  const gid = spec.group ? findGroupId(spec.group) : user?.gid;
  if (!isRoot && gid !== undefined && gid !== process.getgid?.()) {
    throw new BadArgumentError(
      `Program "${spec.name}" runs as group "${spec.group}", which needs a daemon running as root`,
    );
  }
  // HOME, USER and LOGNAME follow the user (supervisord leaves the daemon's, which surprises people).
  if (user) {
    env.HOME = user.home;
    env.USER = user.name;
    env.LOGNAME = user.name;
  }
  if (!user) return { gid };
  // Like initgroups(3): the user's groups from the group database, plus the gid the program runs as.
  return { uid: user.uid, gid, groups: findSupplementaryGroups(user.name, gid ?? user.gid) };
}
