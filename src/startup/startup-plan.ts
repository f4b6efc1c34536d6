import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { renderLaunchdPlist } from './launchd-plist.js';
import { chooseNodePath, chooseTendPath } from './stable-paths.js';
import { getTimeoutStopSec, renderSystemdUnit } from './systemd-unit.js';
import { getLaunchdLabel, getUnitName, type StartupScope } from './unit-name.js';

// What `tend startup` writes and runs, computed without touching anything (so --dry-run prints
// exactly what a real run does): the unit's path and text, the commands that enable it, and what
// the user must do by hand (root, linger).

export type InitSystem = 'systemd' | 'launchd';
export const INIT_SYSTEMS: readonly InitSystem[] = ['systemd', 'launchd'];

export interface StartupRequest {
  readonly init: InitSystem;
  readonly scope: StartupScope;
  readonly tendHome: string;
  /** The account the daemon runs as. */
  readonly owner: { readonly name: string; readonly uid: number; readonly home: string };
  readonly execPath: string;
  /** How tend was invoked (process.argv[1]). */
  readonly tendScript: string;
  readonly env: NodeJS.ProcessEnv;
  /** The largest stop timeout among the programs (the default when none runs). */
  readonly maxStopTimeoutMs: number;
}

export interface StartupPlan {
  readonly init: InitSystem;
  readonly scope: StartupScope;
  readonly unitName: string;
  readonly unitPath: string;
  readonly content: string;
  /** Run in order after the file is written. */
  readonly enable: readonly (readonly string[])[];
  /** Run in order before the file is removed (`tend unstartup`). */
  readonly disable: readonly (readonly string[])[];
  readonly nodePath: string;
  readonly tendPath: string;
  /** Things to tell the user: an unstable node path, a missing linger. */
  readonly warnings: readonly string[];
  /** A command the user must run by hand (e.g. `sudo loginctl enable-linger alice`), or null. */
  readonly linger: string | null;
}

const LINGER_DIR = '/var/lib/systemd/linger';

export function planStartup(request: StartupRequest, isRoot: boolean): StartupPlan {
  const { init, scope, owner } = request;
  const node = chooseNodePath(request.execPath, request.env.PATH);
  const tend = chooseTendPath(request.tendScript);
  const unitName = getUnitName(request.tendHome, owner, scope);
  const timeoutSec = getTimeoutStopSec(request.maxStopTimeoutMs);
  const user = scope === 'system' ? owner.name : null;
  const pathEnv = request.env.PATH || '/usr/local/bin:/usr/bin:/bin';
  const warnings: string[] = [];
  for (const [what, chosen] of [
    ['node', node],
    ['tend', tend],
  ] as const) {
    if (!chosen.stable)
      warnings.push(
        `${what} is at ${chosen.path}, inside a version manager's folder: upgrading it may break the unit (tend startup --check tells; run tend startup again after an upgrade)`,
      );
  }
  if (init === 'systemd') {
    const flag = scope === 'user' ? ['--user'] : [];
    const unitPath =
      scope === 'user'
        ? join(
            request.env.XDG_CONFIG_HOME || join(owner.home, '.config'),
            'systemd',
            'user',
            `${unitName}.service`,
          )
        : join('/etc/systemd/system', `${unitName}.service`);
    const lingers = scope === 'system' || existsSync(join(LINGER_DIR, owner.name));
    return {
      init,
      scope,
      unitName,
      unitPath,
      content: renderSystemdUnit({
        scope,
        nodePath: node.path,
        tendPath: tend.path,
        tendHome: request.tendHome,
        user,
        pathEnv,
        timeoutStopSec: timeoutSec,
      }),
      enable: [
        ['systemctl', ...flag, 'daemon-reload'],
        ['systemctl', ...flag, 'enable', '--now', `${unitName}.service`],
      ],
      disable: [['systemctl', ...flag, 'disable', `${unitName}.service`]],
      nodePath: node.path,
      tendPath: tend.path,
      warnings,
      linger: lingers ? null : `${isRoot ? '' : 'sudo '}loginctl enable-linger ${owner.name}`,
    };
  }
  const label = getLaunchdLabel(unitName);
  const unitPath =
    scope === 'user'
      ? join(owner.home, 'Library', 'LaunchAgents', `${label}.plist`)
      : join('/Library/LaunchDaemons', `${label}.plist`);
  return {
    init,
    scope,
    unitName: label,
    unitPath,
    content: renderLaunchdPlist({
      scope,
      label,
      nodePath: node.path,
      tendPath: tend.path,
      tendHome: request.tendHome,
      user,
      pathEnv,
      exitTimeoutSec: timeoutSec,
      logPath: join(request.tendHome, 'daemon.log'),
    }),
    enable: [['launchctl', 'bootstrap', scope === 'user' ? `gui/${owner.uid}` : 'system', unitPath]],
    // Removing the plist is enough for the next boot; bootout would also stop the running daemon.
    disable: [],
    nodePath: node.path,
    tendPath: tend.path,
    warnings,
    linger: null,
  };
}

/** The init system this machine booted with, or null. */
export function detectInitSystem(platform: NodeJS.Platform = process.platform): InitSystem | null {
  if (platform === 'darwin') return 'launchd';
  // sd_booted(3): systemd is PID 1 exactly when this directory exists.
  if (platform === 'linux' && existsSync('/run/systemd/system')) return 'systemd';
  return null;
}
