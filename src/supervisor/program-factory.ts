import type { ProgramSpec } from '../config/program-schema.js';
import type { ProgramLogs } from '../logs/program-logs.js';
import type { TendPaths } from '../paths.js';
import type { ProcessTreeFactory } from '../process/process-tree.js';
import type { SpawnIntent } from '../program-record.js';
import type { HeldSockets } from '../sockets/held-sockets.js';
import type { ProgramStore, SavedProgram } from '../store/program-store.js';
import { ManagedProgram } from './managed-program.js';
import type { ProbeFactory } from './program-checks.js';
import { getProgramKey } from './program-key.js';
import { createReadinessChannel, type ReadinessChannel } from './readiness.js';
import type { System } from './system.js';

// What one program is wired to when it is created or restored: its log capture, its readiness
// channel, the spawn intents recorded before each fork, its held sockets and its process tree.

const NO_LIMITS = { memory: null, cpu: null, pids: null } as const;

/** The daemon's parts every program is wired to; the same for all of them. */
export interface ProgramWiring {
  readonly paths: TendPaths;
  readonly store: ProgramStore;
  readonly system: System;
  readonly log: { warn(message: string): void };
  readonly logs: ProgramLogs;
  readonly sockets: HeldSockets;
  readonly probes: ProbeFactory | undefined;
  readonly trees: ProcessTreeFactory | undefined;
}

export function createManagedProgram(
  spec: ProgramSpec,
  saved: SavedProgram | undefined,
  wiring: ProgramWiring,
): ManagedProgram {
  const { system, logs } = wiring;
  let program: ManagedProgram | undefined;
  const capture = logs.create(spec, () => program?.checkAdoptedNow());
  let readiness: ReadinessChannel | undefined;
  try {
    readiness = createReadinessChannel(spec, wiring.paths, {
      onNotify: (fields, pid) => program?.onNotify(fields, pid),
      onReadyLine: () => program?.onReadyLine(),
    });
  } catch (error) {
    // Only a restored program can get here (create checks first): it runs, but nobody hears it.
    wiring.log.warn(`${spec.name}: ${(error as Error).message}`);
  }
  const recordSpawnIntent = (intent: SpawnIntent) => wiring.store.recordSpawnIntent(spec.name, intent);
  const probes = wiring.probes;
  const key = getProgramKey(spec);
  const listenFds = spec.sockets.length > 0 ? () => wiring.sockets.acquire(key, spec.sockets) : undefined;
  const tree = wiring.trees?.({
    home: wiring.paths.home,
    name: spec.name,
    limits: spec.limits ?? NO_LIMITS,
  });
  program = new ManagedProgram({
    spec,
    system,
    capture,
    readiness,
    saved,
    probes,
    recordSpawnIntent,
    listenFds,
    ...(tree ? { tree } : {}),
  });
  return program;
}
