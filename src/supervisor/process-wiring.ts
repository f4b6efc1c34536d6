import type { ProgramSpec } from '../config/program-schema.js';
import type { Capture } from '../logs/capture.js';
import type { ProcessTree } from '../process/process-tree.js';
import type { SpawnIntent, State } from '../program-record.js';
import { createProgramProbe, type ProbeFactory } from './program-checks.js';
import type { ReadinessChannel } from './readiness.js';
import type { ListenFdSource } from './spawn-program.js';
import type { MachineEvent } from './states.js';
import type { System } from './system.js';

// What every process of a program is made with, the main one and a reload's new one alike: the
// program's spec, the system, its log capture and readiness channel, the spawn-intent recorder, its
// held sockets, its process tree and how its checks probe; and how those processes reach their program.

/** The halves of readiness that arrived for one process: its own word, and its checks. */
export type ReadySoFar = { readonly said: boolean; readonly checks: boolean };

export interface ProcessWiring {
  readonly spec: ProgramSpec;
  readonly system: System;
  readonly capture: Capture;
  readonly readiness: ReadinessChannel | null;
  readonly recordSpawnIntent: (intent: SpawnIntent) => void;
  readonly listenFds: ListenFdSource | null;
  readonly tree: ProcessTree | null;
  readonly probes: ProbeFactory;
}

export interface ProcessWiringOptions {
  spec: ProgramSpec;
  system: System;
  capture: Capture;
  readiness?: ReadinessChannel;
  /** How checks probe (tests give fakes); default the real http, tcp and exec probes. */
  probes?: ProbeFactory;
  /** Records a spawn intent before each fork (see spawn-program.ts); throwing fails the spawn. */
  recordSpawnIntent?: (intent: SpawnIntent) => void;
  /** The held sockets every process of the program gets (docs/reload.md). */
  listenFds?: ListenFdSource;
  /** Where its processes are tracked beyond the process group (a cgroup, or a /proc sweep). */
  tree?: ProcessTree;
}

/** The wiring with its defaults: real probes, no intent recorder, no held sockets, no tree. */
export function createProcessWiring(options: ProcessWiringOptions): ProcessWiring {
  return {
    spec: options.spec,
    system: options.system,
    capture: options.capture,
    readiness: options.readiness ?? null,
    recordSpawnIntent: options.recordSpawnIntent ?? (() => {}),
    listenFds: options.listenFds ?? null,
    tree: options.tree ?? null,
    probes: options.probes ?? createProgramProbe,
  };
}

/** How the main process reaches its program: the table's events, its state, its history notes. */
export interface MainProcessHooks {
  getState(): State;
  dispatch(event: MachineEvent): void;
  /** Queues an event behind the step being applied (effects raise events this way). */
  enqueue(event: MachineEvent): void;
  /** Any process of the program ended (the program sorts out whose: retired, a reload's, the main). */
  onExit(pid: number, code: number | null, signal: NodeJS.Signals | null): void;
  note(pid: number | null, message: string): void;
}

/** How a reload's new process reaches its program. */
export interface NextProcessHooks {
  dispatch(event: MachineEvent): void;
  /** Any process of the program ended (the program sorts out whose). */
  onExit(pid: number, code: number | null, signal: NodeJS.Signals | null): void;
  /** A check of the new process changed between healthy and unhealthy. */
  note(pid: number, message: string): void;
}
