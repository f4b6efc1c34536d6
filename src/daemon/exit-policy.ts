import { constants } from 'node:os';
import type { ProgramSnapshot, State, StateChange } from '../program-record.js';

// When the daemon itself should end, as Pebble's `on-failure: shutdown` and s6-overlay's
// S6_BEHAVIOUR_IF_STAGE2_FAILS do it: a program with `onExit: shutdown` that ends for good (it
// exited and its restart policy does not restart it, or it became fatal) stops everything, and the
// daemon exits with that program's status (128+signal for a death by signal, like a shell). In a
// container (PID 1, or `tend daemon run -f FILE`) the daemon also ends when every program has ended
// by itself: non-zero when one of them is fatal, instead of idling forever.

export interface DaemonExit {
  readonly code: number;
  readonly why: string;
}

const ENDED: ReadonlySet<State> = new Set(['exited', 'fatal']);
const AT_REST: ReadonlySet<State> = new Set(['stopped', 'exited', 'fatal']);
const EXIT_ALL_FATAL = 1;

/** The daemon's exit after this change, or null when it keeps running. */
export function decideDaemonExit(
  change: StateChange,
  program: ProgramSnapshot,
  programs: readonly ProgramSnapshot[],
  options: { readonly exitWhenAllEnded: boolean },
): DaemonExit | null {
  // Only a program ending by itself counts: `tend stop` leads to `stopped`, never here.
  if (!ENDED.has(change.to) || change.from === change.to) return null;
  if (program.spec.onExit === 'shutdown') {
    const code = getExitStatus(program);
    return {
      code,
      why: `${program.spec.name} ended (${change.to}, exit status ${code}) and has onExit: shutdown`,
    };
  }
  if (!options.exitWhenAllEnded || !programs.every((other) => AT_REST.has(other.state))) return null;
  const fatal = programs.filter((other) => other.state === 'fatal').map((other) => other.spec.name);
  if (fatal.length > 0)
    return { code: EXIT_ALL_FATAL, why: `every program has ended, and ${fatal.join(', ')} fatal` };
  return { code: 0, why: 'every program has ended by itself' };
}

/** tini's convention: the code, 128+signal for a signal, 1 when nothing is known (adopted, spawn failure). */
export function getExitStatus(program: ProgramSnapshot): number {
  if (program.exitSignal) return 128 + (constants.signals[program.exitSignal] ?? 0);
  return program.exitCode ?? 1;
}
