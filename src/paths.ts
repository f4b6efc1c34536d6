import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

// Every filesystem path tend uses is built here, so the layout of TEND_HOME is visible in one place.

export interface TendPaths {
  readonly home: string;
  readonly socket: string;
  readonly pidFile: string;
  readonly database: string;
  readonly daemonLog: string;
  readonly logsDir: string;
  readonly fifoDir: string;
}

export function getTendHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.TEND_HOME;
  return configured ? resolve(configured) : join(homedir(), '.tend');
}

export function getPaths(home: string = getTendHome()): TendPaths {
  return {
    home,
    socket: join(home, 'tend.sock'),
    pidFile: join(home, 'daemon.pid'),
    database: join(home, 'tend.db'),
    daemonLog: join(home, 'daemon.log'),
    logsDir: join(home, 'logs'),
    fifoDir: join(home, 'fifo'),
  };
}

export function getProgramLogPaths(paths: TendPaths, name: string): { out: string; err: string } {
  return { out: join(paths.logsDir, `${name}.out.log`), err: join(paths.logsDir, `${name}.err.log`) };
}

export function getProgramFifoPaths(paths: TendPaths, name: string): { out: string; err: string } {
  return { out: join(paths.fifoDir, `${name}.out`), err: join(paths.fifoDir, `${name}.err`) };
}
