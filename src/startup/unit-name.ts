import { createHash } from 'node:crypto';
import { join } from 'node:path';

// One boot unit per TEND_HOME: a machine may run root's daemon and several users' daemons side by
// side, each with its own home. The name says whose it is; a home other than the user's default
// ~/.tend adds a short hash of its path, so two homes of one user never share a unit.

export const UNIT_BASE_NAME = 'tend';
const HOME_HASH_LENGTH = 8;

export type StartupScope = 'user' | 'system';

export interface UnitOwner {
  /** The account the daemon runs as. */
  readonly name: string;
  /** Its home directory (where its default TEND_HOME lives). */
  readonly home: string;
}

/**
 * `tend` for the default home of the account that owns the unit (a user unit, or root's system
 * unit), `tend-alice` for alice's daemon in a system unit, then `-1a2b3c4d` for any other home.
 */
export function getUnitName(tendHome: string, owner: UnitOwner, scope: StartupScope): string {
  let name = UNIT_BASE_NAME;
  if (scope === 'system' && owner.name !== 'root') name += `-${owner.name}`;
  if (tendHome !== join(owner.home, '.tend')) name += `-${hashHome(tendHome)}`;
  return name;
}

/** The launchd label for a unit name (reverse-DNS, as launchd expects). */
export function getLaunchdLabel(unitName: string): string {
  return `dev.tend.${unitName}`;
}

function hashHome(home: string): string {
  return createHash('sha256').update(home).digest('hex').slice(0, HOME_HASH_LENGTH);
}
