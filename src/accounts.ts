import { readFileSync } from 'node:fs';
import { BadArgumentError } from './errors.js';
import { getNativeHelper } from './native.js';

// Looks up users and groups in /etc/passwd and /etc/group (Node has no getpwnam). Only needed when a
// program names a `user` or `group`, which takes a daemon running as root.

export interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

function readTable(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(':'));
  } catch {
    return [];
  }
}

export function findUser(nameOrId: string): Account {
  const row = readTable('/etc/passwd').find((fields) => fields[0] === nameOrId || fields[2] === nameOrId);
  if (!row) throw new BadArgumentError(`No user "${nameOrId}" in /etc/passwd`);
  return { name: row[0] as string, uid: Number(row[2]), gid: Number(row[3]), home: row[5] || '/' };
}

export function findGroupId(nameOrId: string): number {
  const row = readTable('/etc/group').find((fields) => fields[0] === nameOrId || fields[2] === nameOrId);
  if (!row) throw new BadArgumentError(`No group "${nameOrId}" in /etc/group`);
  return Number(row[2]);
}

/**
 * The groups `user` belongs to, `gid` first: through NSS (getgrouplist) with the native helper,
 * else from the member lists of /etc/group.
 */
export function findSupplementaryGroups(user: string, gid: number): number[] {
  const native = getNativeHelper();
  const found = native?.getGroupList
    ? native.getGroupList(user, gid)
    : readTable('/etc/group')
        .filter((fields) => (fields[3] ?? '').split(',').includes(user))
        .map((fields) => Number(fields[2]));
  return [...new Set([gid, ...found])];
}
