import type { Desired, ProgramSnapshot, State } from '../program-record.js';
import type { MainProcess } from './main-process.js';
import type { ProcessWiring } from './process-wiring.js';
import { isActive } from './states.js';

// Where a program stands beside its spec and its processes: its state and what the user wants, its
// restarts, how its last process ended and why, its failure counts. Restored from the saved record
// when a daemon starts; changed only by ManagedProgram's step; written into every snapshot.

export interface ProgramStanding {
  state: State;
  desired: Desired;
  restarts: number;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  reason: string | null;
  consecutiveFailures: number;
  recentFailures: readonly number[];
}

/** From the saved record, or a new program's: stopped, nothing run yet. */
export function restoreStanding(saved: ProgramSnapshot | undefined): ProgramStanding {
  return {
    // A program waiting in backoff has no process to lose: it resumes waiting (a resume-backoff event).
    state: saved && (!isActive(saved.state) || saved.state === 'backoff') ? saved.state : 'stopped',
    desired: saved?.desired ?? 'stopped',
    restarts: saved?.restarts ?? 0,
    exitCode: saved?.exitCode ?? null,
    exitSignal: saved?.exitSignal ?? null,
    reason: saved?.reason ?? null,
    consecutiveFailures: saved?.consecutiveFailures ?? 0,
    recentFailures: saved?.recentFailures ?? [],
  };
}

/** The program's snapshot: its spec and standing, its main process's part, how its processes are tracked. */
export function buildSnapshot(
  wiring: ProcessWiring,
  standing: Readonly<ProgramStanding>,
  main: ReturnType<MainProcess['snapshot']>,
): ProgramSnapshot {
  const { runtime, adopted, statusText, health } = main;
  const tree = wiring.tree;
  return {
    spec: wiring.spec,
    state: standing.state,
    desired: standing.desired,
    runtime,
    restarts: standing.restarts,
    exitCode: standing.exitCode,
    exitSignal: standing.exitSignal,
    reason: standing.reason,
    consecutiveFailures: standing.consecutiveFailures,
    recentFailures: standing.recentFailures,
    adopted,
    statusText,
    health,
    ...(tree ? { tracking: tree.tracking } : {}),
  };
}
