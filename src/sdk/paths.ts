import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { BadArgumentError } from '../errors.js';

// Every file the toolkit writes on its own is named here: the pid file, the run log, the state dump.

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface DaemonPaths {
  readonly pidFile: string;
  readonly runLog: string;
  readonly stateDump: string;
}

/** The daemon's name from its script (`/srv/news-daemon.js` → `news-daemon`) when none is given. */
export function getDefaultName(argv: readonly string[] = process.argv): string {
  const script = argv[1];
  if (!script) return 'daemon';
  const name = basename(script, extname(script)).replace(/[^A-Za-z0-9._-]/g, '-');
  return NAME_PATTERN.test(name) ? name : 'daemon';
}

export function validateName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new BadArgumentError(
      `Daemon name "${name}" must start with a letter or digit and use only letters, digits, ".", "_" and "-"`,
    );
  }
  return name;
}

/** Run-time files default to $XDG_RUNTIME_DIR (per user, cleared at logout) or the temporary directory. */
export function getDefaultPaths(name: string, env: NodeJS.ProcessEnv = process.env): DaemonPaths {
  const runtime = env.XDG_RUNTIME_DIR || tmpdir();
  return {
    pidFile: join(runtime, `${name}.pid`),
    runLog: join(tmpdir(), `${name}.runlog.json`),
    stateDump: join(tmpdir(), `${name}.state.json`),
  };
}
