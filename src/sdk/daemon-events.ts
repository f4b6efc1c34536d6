// The toolkit's own events: every lifecycle step runs on the queue under one of these names, so it
// shows in the run log's statistics and never overlaps a user handler.

/**
 * The toolkit's own event names (in the run log's statistics; `daemon.on` and `schedule*` refuse them).
 *
 * @example
 * const reloads = daemon.getRunLog().events[DAEMON_EVENTS.reload]?.count ?? 0;
 */
export const DAEMON_EVENTS = {
  start: 'daemon:start',
  stop: 'daemon:stop',
  reload: 'daemon:reload',
  runLog: 'daemon:run-log',
  stateDump: 'daemon:state-dump',
  watchdog: 'daemon:watchdog',
} as const;

export const DAEMON_EVENT_PREFIX = 'daemon:';
