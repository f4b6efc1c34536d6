import type { ProgramLogs } from '../logs/program-logs.js';
import type { TendPaths } from '../paths.js';
import type { ProcessTreeFactory } from '../process/process-tree.js';
import type { ProgramSnapshot, StateChange } from '../program-record.js';
import type { ActivationSystem } from '../sockets/activation.js';
import type { SocketSystem } from '../sockets/socket-system.js';
import type { ProgramStore } from '../store/program-store.js';
import type { ProbeFactory } from './program-checks.js';
import type { System } from './system.js';

// What a Supervisor is made with: the daemon's paths, database, System seam, logs, and the fakes
// tests give in place of probes, sockets and process trees.

export interface SupervisorLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface SupervisorOptions {
  readonly paths: TendPaths;
  readonly store: ProgramStore;
  readonly system: System;
  readonly log: SupervisorLog;
  readonly logs: ProgramLogs;
  /** Where commands are looked up: the PATH the daemon itself was started with. */
  readonly searchPath: string | undefined;
  /** Hears every state change after it is recorded (the daemon's status line, its exit policies). */
  readonly onStateChanged?: (change: StateChange, program: ProgramSnapshot) => void;
  /** How checks probe; default the real ones (tests give fakes). */
  readonly probes?: ProbeFactory;
  /** The kernel side of held sockets; default the native helper (tests give fakes). */
  readonly socketSystem?: SocketSystem;
  /** Tracks each program's processes beyond its group (cgroups, or a /proc sweep); none in unit tests. */
  readonly trees?: ProcessTreeFactory;
  readonly activationSystem?: ActivationSystem;
}
