import { unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import { API_VERSION, createApp } from '../api/app.js';
import { listenOnSocket } from '../api/server.js';
import { getExitCode } from '../cli/exit-codes.js';
import { isTendError, RestartRefusedError } from '../errors.js';
import { ProgramLogs } from '../logs/program-logs.js';
import { getNativeMissingReason } from '../native.js';
import { getPaths } from '../paths.js';
import { createProcessTrees } from '../process/process-tree.js';
import type { DetachChannel } from '../sdk/detach.js';
import { DaemonAlreadyRunningError } from '../sdk/errors.js';
import { EventQueue } from '../sdk/event-queue.js';
import { createLogger } from '../sdk/logger.js';
import { createNotifier } from '../sdk/notify.js';
import { acquirePidFile, type PidFileLock, readPidFile } from '../sdk/pid-file.js';
import { installUncaughtHandlers } from '../sdk/uncaught.js';
import { startWatchdogPings } from '../sdk/watchdog.js';
import { openOrRecoverDatabase } from '../store/database.js';
import { ProgramStore } from '../store/program-store.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { nodeSystem } from '../supervisor/system.js';
import { VERSION } from '../version.js';
import { compactAfterRequests } from './compact-after-requests.js';
import { createDaemonLogFile, writeStdout } from './daemon-log.js';
import { decideDaemonExit } from './exit-policy.js';
import { readFdLimit } from './fd-limit.js';
import { spawnSuccessor } from './handoff.js';
import { ensureHome } from './home.js';
import { startOrphanReaping } from './orphans.js';
import { installDaemonSignals } from './signals.js';
import { applyStartupConfig, loadStartupConfig } from './startup-config.js';
import { createStatusReporter } from './status-line.js';

// The daemon, wired top to bottom from tend/daemon's parts (logger, notifier, watchdog, pid file,
// signals, the detach channel): home, output, lock, state, supervisor, API, signals, ready.
// Nothing else lives here.

export interface DaemonOptions {
  /** Detached (or succeeding a detached daemon): log into TEND_HOME/daemon.log, rotated, not stdout. */
  readonly logToFile: boolean;
  /** The line back to whoever started us: the CLI that detached us, or the daemon we succeed. */
  readonly channel: DetachChannel | null;
  /** `tend daemon run -f FILE`: applied at start, output to stdout (a container's entrypoint). */
  readonly configFile?: string;
}

// The supervisor gives a stop this long beyond its stop timeout to settle; the init system gets a bit more.
const STOP_GRACE_MS = 10_000;

export async function runDaemon(options: DaemonOptions): Promise<void> {
  process.umask(0o022);
  const paths = getPaths();
  ensureHome(paths);
  // Programs inherit these: their own home, and no program name of whoever started this daemon.
  process.env.TEND_HOME = paths.home;
  delete process.env.TEND_PROGRAM;
  const output = options.logToFile ? createDaemonLogFile(paths.daemonLog) : writeStdout;
  const log = createLogger({ name: 'tend', write: output });
  // The notifier takes these out of the environment (programs must not speak for the daemon); a
  // successor gets them back (see handoff.ts).
  const supervisorEnv = {
    notifySocket: process.env.NOTIFY_SOCKET || null,
    watchdogUsec: process.env.WATCHDOG_USEC,
  };
  const notifier = createNotifier({ logger: log });
  const config = options.configFile ? await loadStartupConfig(options.configFile) : null;
  // A container's daemon also ends when all its programs have (see exit-policy.ts).
  const exitWhenAllEnded = process.pid === 1 || config !== null;

  const orphans = startOrphanReaping(log);
  const { db, movedAside } = openOrRecoverDatabase(paths.database, paths.home, () =>
    readPidFile(paths.pidFile),
  );
  if (movedAside)
    log.error(
      `${paths.database} was corrupt: moved to ${movedAside}; starting with an empty database. ` +
        'Programs it listed are no longer supervised (their processes, if any, keep running): ' +
        'create them again (tend up, tend start) after stopping the old processes.',
    );
  const pidFile = takePidFile(paths.pidFile, log);
  const startedAt = new Date();
  const store = new ProgramStore(db);
  let supervisor: Supervisor | undefined;
  const logs = new ProgramLogs(paths, {
    writeConsole: output,
    clock: nodeSystem,
    onNote: (note) => supervisor?.recordNote(note.program, note.event, note.message),
  });
  const reportStatus = createStatusReporter(
    () => supervisor?.list() ?? [],
    (text) => notifier.status(text),
  );
  log.info(
    `tend ${VERSION} daemon starting (pid ${process.pid}, home ${paths.home}, fd limit ${readFdLimit() ?? 'unknown'})`,
  );
  const nativeMissing = getNativeMissingReason();
  if (nativeMissing !== null)
    log.warn(
      `native helper not in use (${nativeMissing}): the portable fallback runs; log output is read and written by the daemon instead of spliced (several times the CPU per MB)`,
    );
  const trees = createProcessTrees(paths.home, process.pid, nodeSystem.proc);
  const tracking = trees.mode === 'cgroup' ? 'a cgroup per program under' : 'process group + /proc sweep:';
  log.info(`process tracking: ${tracking} ${trees.detail}`);
  log.info(`resource limits: ${trees.limitsDetail}`);
  supervisor = new Supervisor({
    paths,
    store,
    system: nodeSystem,
    log,
    logs,
    searchPath: process.env.PATH,
    onStateChanged: (change, program) => {
      reportStatus();
      const exit = decideDaemonExit(change, program, supervisor?.list() ?? [], { exitWhenAllEnded });
      if (exit) void shutdown(true, exit.why, exit.code);
    },
    trees: trees.create,
  });

  let server: Server | undefined;
  let stopPings = () => {};
  let leaving = false;
  const getMaxStopTimeoutMs = () =>
    Math.max(0, ...supervisor.list().map((program) => program.spec.stopTimeout));
  // Lets go of everything: the programs are stopped first, or left running for the next daemon.
  const release = async (stopPrograms: boolean) => {
    stopPings();
    server?.close();
    server?.closeIdleConnections();
    await supervisor.shutdown({ stopPrograms });
    trees.leave();
    logs.close();
    store.close();
    removeQuietly(paths.socket);
    pidFile.release();
    orphans?.close();
  };
  const shutdown = async (stopPrograms: boolean, why: string, exitCode = 0) => {
    if (leaving) return;
    leaving = true;
    log.info(`shutting down (${why}); programs will be ${stopPrograms ? 'stopped' : 'left running'}`);
    notifier.stopping();
    if (stopPrograms) notifier.send({ EXTEND_TIMEOUT_USEC: (getMaxStopTimeoutMs() + STOP_GRACE_MS) * 1000 });
    await release(stopPrograms);
    log.info(`daemon exited (code ${exitCode})`);
    process.exit(exitCode);
  };
  const handOver = async () => {
    if (leaving) return;
    leaving = true;
    log.info('restarting: handing over to a new daemon; programs keep running');
    notifier.reloading();
    await release(false);
    try {
      const pid = await spawnSuccessor(supervisorEnv);
      log.info(`handed over to the new daemon (pid ${pid})`);
      process.exit(0);
    } catch (error) {
      log.error('the new daemon did not start; exiting (the next daemon re-adopts the programs)', error);
      process.exit(1);
    }
  };

  const report = supervisor.restore();
  log.info(
    `restored ${report.adopted.length} adopted, ${report.restarted.length} restarted, ${report.resting.length} resting`,
  );

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
      maxStopTimeoutMs: getMaxStopTimeoutMs(),
      supervised: supervisorEnv.notifySocket !== null,
    }),
    requestShutdown: (stopPrograms) => {
      setImmediate(() => void shutdown(stopPrograms, 'requested through the API'));
    },
    requestRestart: () => {
      // Our exit would end the container: PID 1 cannot hand over.
      if (process.pid === 1) throw new RestartRefusedError('it is PID 1 (a container would end with it)');
      setImmediate(() => void handOver());
    },
  });
  server = await listenOnSocket(paths.socket, compactAfterRequests(app), undefined, (error, retryMs) =>
    log.warn(
      retryMs === null
        ? `a client of ${paths.socket} was refused (${error.code ?? error.message})`
        : `cannot listen on ${paths.socket} (${error.code}); trying again in ${retryMs} ms`,
    ),
  );

  installDaemonSignals({
    log,
    shutdown: (stopPrograms, why) => void shutdown(stopPrograms, why),
    exitNow: (code) => process.exit(code),
  });
  installUncaughtHandlers((error, origin) => log.error(origin, error));
  const pingMs = notifier.watchdogPingMs;
  if (pingMs) stopPings = startWatchdogPings(new EventQueue(), pingMs, () => notifier.watchdog());

  log.info(`listening on ${paths.socket}`);
  // Restored, re-adopted, answering: ready. MAINPID first, so a successor becomes the unit's main process.
  notifier.send({ MAINPID: process.pid });
  notifier.ready();
  reportStatus();
  options.channel?.ready();

  if (config) {
    try {
      const changes = await applyStartupConfig(supervisor, config);
      log.info(`applied ${config.path} (${changes} programs)`);
    } catch (error) {
      log.error(`could not apply ${config.path}`, error);
      // The status the CLI gives for the same error, so `docker run` says what `tend up` would.
      void shutdown(
        true,
        'the config file could not be applied',
        isTendError(error) ? getExitCode(error.code) : 1,
      );
    }
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * The database lock is what keeps a second daemon out; the pid file only says who holds it. A disk
 * too full to write it must not keep the daemon from starting: it runs without one, and says so.
 */
function takePidFile(path: string, log: { warn(message: string): void }): PidFileLock {
  try {
    return acquirePidFile(path, { name: 'tend' });
  } catch (error) {
    if (error instanceof DaemonAlreadyRunningError) throw error;
    log.warn(`cannot write the pid file ${path} (${(error as Error).message}); running without one`);
    return { path, pid: process.pid, release: () => {} };
  }
}
