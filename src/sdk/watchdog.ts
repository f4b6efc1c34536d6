import { DAEMON_EVENTS } from './daemon-events.js';
import type { EventQueue } from './event-queue.js';

// Watchdog pings ride the queue's urgent lane instead of a bare timer: a handler that hangs (even
// one awaiting a promise that never settles, which leaves the event loop free) stops them, and the
// supervisor notices. At most one ping waits in the queue, so a stuck queue does not pile them up.
// The timer is unref'd: pings alone must not keep a process alive.

/**
 * Pings every `intervalMs` through the queue; returns a function that stops the pings.
 *
 * @example
 * const stopPings = startWatchdogPings(queue, 5000, () => notifier.watchdog());
 */
export function startWatchdogPings(queue: EventQueue, intervalMs: number, ping: () => void): () => void {
  let queued = false;
  const off = queue.on(DAEMON_EVENTS.watchdog, () => {
    queued = false;
    ping();
  });
  const timer = setInterval(() => {
    if (queued) return;
    queued = true;
    queue.scheduleUrgent(DAEMON_EVENTS.watchdog);
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    off();
  };
}
