import { closeSync, unlinkSync, writeSync } from 'node:fs';
import type { Server } from 'node:http';
import { API_VERSION, createApp } from '../api/app.js';
import { listenOnSocket } from '../api/server.js';
import { LogFile } from '../logs/log-file.js';
import { ProgramLogs } from '../logs/program-logs.js';
import { getPaths } from '../paths.js';
import { openDatabase } from '../store/database.js';
import { ProgramStore } from '../store/program-store.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { nodeSystem } from '../supervisor/system.js';
import { VERSION } from '../version.js';
import { ensureHome } from './home.js';
import { createLogger, type LogWriter, writeStdout } from './logger.js';
import { readPidFile, removePidFile, writePidFile } from './pid-file.js';
import { installDaemonSignals } from './signals.js';

// The daemon, wired top to bottom: home, lock, state, supervisor, API, signals. Nothing else lives here.

export interface DaemonOptions {
  /** Running in the background: log into TEND_HOME/daemon.log (rotated) instead of stdout. */
  readonly detached?: boolean;
  /** An fd to write "ready\n" to once the API answers (the CLI that detached us waits on it). */
  readonly readyFd?: number;
}

export async function runDaemon(options: DaemonOptions = {}): Promise<void> {
  process.umask(0o022);
  const paths = getPaths();
  ensureHome(paths);
  // Programs inherit these: their own home, and no program name of whoever started this daemon.
  process.env.TEND_HOME = paths.home;
  delete process.env.TEND_PROGRAM;
  const output = options.detached ? createDaemonLogFile(paths.daemonLog) : writeStdout;
  const log = createLogger(output);

  const db = openDatabase(paths.database, paths.home, () => readPidFile(paths.pidFile));
  writePidFile(paths.pidFile, process.pid);
  const startedAt = new Date();
  const store = new ProgramStore(db);
  let supervisor: Supervisor | undefined;
  const logs = new ProgramLogs(paths, {
    writeConsole: output,
    clock: nodeSystem,
    onNote: (note) => supervisor?.recordNote(note.program, note.event, note.message),
  });
  supervisor = new Supervisor({ paths, store, system: nodeSystem, log, logs, searchPath: process.env.PATH });
  log.info(`tend ${VERSION} daemon starting (pid ${process.pid}, home ${paths.home})`);

  const report = supervisor.restore();
  log.info(
    `restored ${report.adopted.length} adopted, ${report.restarted.length} restarted, ${report.resting.length} resting`,
  );

  let server: Server | undefined;
  let stopping = false;
  const shutdown = async (stopPrograms: boolean, why: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`shutting down (${why}); programs will be ${stopPrograms ? 'stopped' : 'left running'}`);
    server?.close();
    server?.closeIdleConnections();
    await supervisor.shutdown({ stopPrograms });
    logs.close();
    store.close();
    removeQuietly(paths.socket);
    removePidFile(paths.pidFile, process.pid);
    log.info('daemon exited');
    process.exit(0);
  };

  const app = createApp({
    supervisor,
    logs,
    paths,
    now: () => Date.now(),
    getDaemonInfo: () => ({
      pid: process.pid,
      version: VERSION,
      apiVersion: API_VERSION,
      startedAt: startedAt.toISOString(),
      home: paths.home,
      programs: supervisor.list().length,
      runningPrograms: supervisor.list().filter((program) => program.runtime.pid !== null).length,
      maxStopTimeoutMs: Math.max(0, ...supervisor.list().map((program) => program.spec.stopTimeout)),
      supervised: false,
    }),
    requestShutdown: (stopPrograms) => {
      setImmediate(() => void shutdown(stopPrograms, 'requested through the API'));
    },
  });
  server = await listenOnSocket(paths.socket, app);

  installDaemonSignals({
    log,
    shutdown: (stopPrograms, why) => void shutdown(stopPrograms, why),
    exitNow: (code) => process.exit(code),
  });
  process.on('uncaughtException', (error) => log.error(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => log.error(`unhandled rejection: ${String(error)}`));

  log.info(`listening on ${paths.socket}`);
  if (options.readyFd !== undefined) notifyReady(options.readyFd);
}

const DAEMON_LOG_MAX_SIZE_BYTES = 10 * 1024 * 1024;
const DAEMON_LOG_KEEP = 3;

function createDaemonLogFile(path: string): LogWriter {
  const file = new LogFile(
    path,
    { maxSizeBytes: DAEMON_LOG_MAX_SIZE_BYTES, keep: DAEMON_LOG_KEEP, compress: false },
    { onFault: () => {}, onRecover: () => {} },
  );
  return (data) => file.write(data);
}

function notifyReady(fd: number): void {
  try {
    writeSync(fd, 'ready\n');
    closeSync(fd);
  } catch {
    // the process that waited for us has gone; nothing to tell
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
