import type { ProgramLogs } from '../logs/program-logs.js';
import type { TendPaths } from '../paths.js';
import type { Supervisor } from '../supervisor/supervisor.js';

// What the API is given. It calls public methods of these and nothing else.

export interface DaemonInfo {
  readonly pid: number;
  readonly version: string;
  readonly apiVersion: string;
  readonly startedAt: string;
  readonly home: string;
  readonly programs: number;
  /** How many of them have a process (starting, running, stopping). */
  readonly runningPrograms: number;
  /** The largest stop timeout among the programs: a boot unit's stop timeout must exceed it. */
  readonly maxStopTimeoutMs: number;
  /** The daemon reports to an init system (sd_notify): systemd started it, not a shell. */
  readonly supervised: boolean;
}

/** The programs' logs as the API uses them: where they go, their faults, the last lines, live lines, flush. */
export type LogService = Pick<ProgramLogs, 'getTargets' | 'getFaults' | 'tail' | 'follow' | 'flush'>;

export interface AppDeps {
  readonly supervisor: Supervisor;
  readonly logs: LogService;
  readonly paths: TendPaths;
  readonly now: () => number;
  readonly getDaemonInfo: () => DaemonInfo;
  /** Asks the daemon to exit once the response is sent. */
  readonly requestShutdown: (stopPrograms: boolean) => void;
  /** Asks the daemon to hand over to a successor (same programs, new pid) once the response is sent. */
  readonly requestRestart: () => void;
}
