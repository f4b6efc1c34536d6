import { isTendError } from '../errors.js';
import { runDaemon } from './main.js';

// The detached daemon's entry point (dist/daemon.js). `tend daemon run` calls runDaemon directly.

const readyFd = process.env.TEND_READY_FD ? Number(process.env.TEND_READY_FD) : undefined;
delete process.env.TEND_READY_FD;

runDaemon({ readyFd, detached: readyFd !== undefined }).catch((error: unknown) => {
  const message = isTendError(error) ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`${new Date().toISOString()} error ${message}\n`);
  process.exit(isTendError(error) && error.code === 'DAEMON_LOCKED' ? 3 : 1);
});
