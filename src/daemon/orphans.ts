import { getNativeHelper, type NativeHelper } from '../native.js';
import type { DaemonLogger } from '../sdk/logger.js';

// The daemon is a child subreaper (PR_SET_CHILD_SUBREAPER): a program's descendant whose parent
// dies (a double fork, a daemonizing script) is re-parented to the daemon instead of init, and as a
// container's PID 1 every orphan of the namespace comes to it anyway. Node does not collect them
// (libuv waits only for the children it spawned), so the native helper's orphan reaper does, on
// every SIGCHLD, never touching a child the daemon waits for itself: the native spawner's own
// children and anything in the daemon's process group (Node's child_process) are left alone
// (native/reaper.c says how). Without the helper nothing is reaped; as PID 1 that is said once.

export interface OrphanReaping {
  close(): void;
}

export function startOrphanReaping(
  log: DaemonLogger,
  native: NativeHelper | null = getNativeHelper(),
): OrphanReaping | null {
  if (!native?.becomeSubreaper || !native.startOrphanReaper) {
    if (process.pid === 1)
      log.warn('PID 1 without the native helper: orphaned processes are not reaped (run with --init)');
    return null;
  }
  native.becomeSubreaper();
  let reaped = 0;
  const reaper = native.startOrphanReaper(() => {
    reaped += 1;
  });
  return {
    close() {
      reaper.close();
      if (reaped > 0) log.info(`reaped ${reaped} orphaned processes`);
    },
  };
}
