// Migrations run in order; PRAGMA user_version records how many have been applied.

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE programs (
     name TEXT PRIMARY KEY,
     spec TEXT NOT NULL,
     desired TEXT NOT NULL,
     state TEXT NOT NULL,
     pid INTEGER,
     pgid INTEGER,
     proc_start_time INTEGER,
     started_at INTEGER,
     restarts INTEGER NOT NULL DEFAULT 0,
     exit_code INTEGER,
     exit_signal TEXT,
     reason TEXT,
     consecutive_failures INTEGER NOT NULL DEFAULT 0,
     recent_failures TEXT NOT NULL DEFAULT '[]',
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE events (
     id INTEGER PRIMARY KEY,
     time INTEGER NOT NULL,
     program TEXT NOT NULL,
     event TEXT NOT NULL,
     from_state TEXT,
     to_state TEXT,
     pid INTEGER,
     exit_code INTEGER,
     exit_signal TEXT,
     message TEXT
   );
   CREATE INDEX events_by_program ON events (program, id);`,
  // The spawn intent (lost-spawns.ts): written before each fork, cleared by the write that records the pid.
  `ALTER TABLE programs ADD COLUMN spawn_id TEXT;
   ALTER TABLE programs ADD COLUMN spawn_uid INTEGER;
   ALTER TABLE programs ADD COLUMN spawn_at INTEGER;`,
];
