import type { HeldSockets } from '../sockets/held-sockets.js';
import type { ProgramActivation } from './program-activation.js';
import type { ProgramRegistry } from './program-registry.js';
import { drainLeftovers, stopPrograms } from './program-waits.js';
import type { StatePersistence } from './state-persistence.js';
import { isActive } from './states.js';
import type { System } from './system.js';

// The supervisor's end, when the daemon stops or restarts: programs stopped (their wish to run kept
// for the next daemon) or left running, pending saves flushed, every watcher released, activation
// closed and the held sockets closed (their files kept while programs still run).

export interface ShutdownParts {
  readonly programs: ProgramRegistry;
  readonly system: System;
  readonly persistence: StatePersistence;
  readonly activation: ProgramActivation;
  readonly sockets: HeldSockets;
}

export async function shutDownPrograms(
  parts: ShutdownParts,
  options: { stopPrograms: boolean },
): Promise<void> {
  if (options.stopPrograms) {
    // Exited and fatal programs keep their state: the next daemon must not run them again.
    const active = parts.programs.getAll().filter((program) => isActive(program.state));
    const wanted = active.filter((program) => program.snapshot().desired === 'running');
    await stopPrograms(active, parts.system);
    await drainLeftovers(active, parts.system);
    parts.persistence.saveWanted(wanted);
  }
  parts.persistence.flush();
  for (const program of parts.programs.getAll()) program.release();
  parts.activation.close();
  // With the programs stopped the sockets go; left running, the programs hold them for the next daemon.
  parts.sockets.closeAll({ removeFiles: options.stopPrograms });
}
