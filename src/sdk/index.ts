// tend/daemon: what a TypeScript program needs to be a well-behaved daemon. docs/daemon-toolkit.md.

export { DAEMON_EVENTS } from './daemon-events.js';
export type { DetachOptions } from './detach.js';
export { DaemonAlreadyRunningError, DaemonStateError, DetachFailedError } from './errors.js';
export type { EventHandler, HandlerContext } from './event-queue.js';
export { EventQueue } from './event-queue.js';
export { createDaemon, DEFAULT_STOP_TIMEOUT_MS, FORCED_EXIT_CODE } from './lifecycle.js';
export type { DaemonLogger, LogLevel } from './logger.js';
export { createLogger, flushOutput } from './logger.js';
export type { Notifier } from './notify.js';
export { createNotifier } from './notify.js';
export type { PidFileLock, PidFileStatus } from './pid-file.js';
export { acquirePidFile, getPidFileStatus, removePidFile } from './pid-file.js';
export { LSB_EXIT, LSB_STATUS, parseControlArgs } from './pid-file-commands.js';
export type { Clock, TimedEventHandle, TimedEventInfo } from './schedule.js';
export type { EventStats, RunLog } from './stats.js';
export type {
  Daemon,
  DaemonOptions,
  DaemonState,
  LifecycleHook,
  StateDump,
  StopHook,
  StopInfo,
  UncaughtErrorPolicy,
} from './types.js';
