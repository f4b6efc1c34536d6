import { guardInspectorSignal } from '../sdk/signals.js';

// The detached daemon's entry point (dist/daemon.js). `tend daemon run` calls runDaemon directly.
// SIGUSR1 is guarded before the rest loads: until a listener exists, Node opens its inspector on it.
guardInspectorSignal();

const { isTendError } = await import('../errors.js');
const { runDaemon } = await import('./main.js');

const readyFd = process.env.TEND_READY_FD ? Number(process.env.TEND_READY_FD) : undefined;
delete process.env.TEND_READY_FD;

runDaemon({ readyFd, detached: readyFd !== undefined }).catch((error: unknown) => {
  const message = isTendError(error) ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`${new Date().toISOString()} error ${message}\n`);
  process.exit(isTendError(error) && error.code === 'DAEMON_LOCKED' ? 3 : 1);
});
