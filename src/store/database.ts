import { closeSync, openSync, renameSync, unlinkSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DaemonLockedError } from '../errors.js';
import { MIGRATIONS } from './schema.js';

// The state database doubles as the daemon's lock: in WAL mode with locking_mode=EXCLUSIVE the first
// write takes an exclusive POSIX lock on the file that is held until the process ends. The kernel
// drops it when the daemon dies, however it dies, so a second daemon can never write beside a first
// one and a stale lock cannot exist.

export type Db = Database.Database;

/** SQLite's words for a file that is not (or no longer) a sound database. */
const CORRUPT_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

export interface OpenedDatabase {
  readonly db: Db;
  /** Where a corrupt database was moved to before a fresh one was made; null when none was. */
  readonly movedAside: string | null;
}

/**
 * Opens the state database. One that SQLite calls corrupt (or not a database at all) would keep
 * every daemon from starting: it is moved aside, whole (`tend.db.corrupt-<time>`, with its -wal and
 * -shm), for whoever wants to look at it, and the daemon starts with an empty one and says so.
 */
export function openOrRecoverDatabase(
  path: string,
  home: string,
  readPid: () => number | null,
  now: Date = new Date(),
): OpenedDatabase {
  try {
    return { db: openDatabase(path, home, readPid), movedAside: null };
  } catch (error) {
    if (!CORRUPT_CODES.test((error as { code?: string }).code ?? '')) throw error;
  }
  const guard = `${path}.recovering`;
  // Two daemons starting at once over a corrupt file: only one moves it.
  closeSync(openSync(guard, 'wx', 0o600));
  try {
    const aside = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        renameSync(`${path}${suffix}`, `${aside}${suffix}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return { db: openDatabase(path, home, readPid), movedAside: aside };
  } finally {
    unlinkSync(guard);
  }
}

export function openDatabase(path: string, home: string, readPid: () => number | null): Db {
  let db: Db | undefined;
  try {
    db = new Database(path, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
    // Reads what the restore will read, so a corrupt file is known now, not halfway through it.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    db?.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DaemonLockedError(home, readPid());
    throw error;
  }
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function migrate(db: Db): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  for (let index = applied; index < MIGRATIONS.length; index++) {
    const sql = MIGRATIONS[index] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${index + 1}`);
    })();
  }
}
