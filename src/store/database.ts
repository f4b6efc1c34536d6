import Database from 'better-sqlite3';
import { DaemonLockedError } from '../errors.js';
import { MIGRATIONS } from './schema.js';

// The state database doubles as the daemon's lock: in WAL mode with locking_mode=EXCLUSIVE the first
// write takes an exclusive POSIX lock on the file that is held until the process ends. The kernel
// drops it when the daemon dies, however it dies, so a second daemon can never write beside a first
// one and a stale lock cannot exist.

export type Db = Database.Database;

export function openDatabase(path: string, home: string, readPid: () => number | null): Db {
  let db: Db | undefined;
  try {
    db = new Database(path, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
  } catch (error) {
    db?.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DaemonLockedError(home, readPid());
    throw error;
  }
  migrate(db);
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
