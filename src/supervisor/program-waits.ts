import { TimeoutError } from '../errors.js';
import type { ProgramSnapshot, State, StateChange } from '../program-record.js';
import type { ManagedProgram } from './managed-program.js';
import type { System } from './system.js';

// Waiting on a program's state changes, with the System's timers (so unit tests drive the clock).

const SETTLE_GRACE_MS = 5000;
const LEFTOVER_WAIT_MS = 1000;
const LEFTOVER_POLL_MS = 10;

/** Resolves with the program's snapshot once `accept(state)` holds; rejects after `timeoutMs`. */
export function waitForState(
  program: ManagedProgram,
  system: System,
  accept: (state: State, snapshot: ProgramSnapshot) => boolean,
  timeoutMs: number,
): Promise<ProgramSnapshot> {
  if (accept(program.state, program.snapshot())) return Promise.resolve(program.snapshot());
  return new Promise((resolve, reject) => {
    const onChange = (change: StateChange) => {
      if (!accept(change.to, program.snapshot())) return;
      cleanup();
      resolve(program.snapshot());
    };
    const cleanup = () => {
      timer.cancel();
      program.off('state-changed', onChange);
    };
    const timer = system.setTimer(timeoutMs, () => {
      cleanup();
      reject(new TimeoutError(`program "${program.name}" to settle (it is ${program.state})`, timeoutMs));
    });
    program.on('state-changed', onChange);
  });
}

/** Resolves once the program has left `stopping` (or has a process again, for a restart). */
export function settle(program: ManagedProgram, system: System): Promise<void> {
  if (program.state !== 'stopping') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (change?: StateChange) => {
      if (change && change.to === 'stopping') return;
      program.off('state-changed', done);
      timer.cancel();
      resolve();
    };
    const settleMs = program.snapshot().spec.stopTimeout + SETTLE_GRACE_MS;
    const timer = system.setTimer(settleMs, done);
    program.on('state-changed', done);
  });
}

/**
 * After a stop: the stop signal reached the program's other processes too, and they may still be
 * exiting when the main one has been reaped. A cgroup can be removed only once they are gone, so a
 * delete or a daemon stop waits for them, a little (a process that ignores the signal is not waited
 * out: its cgroup stays until the next daemon removes it).
 */
export function drainLeftovers(programs: readonly ManagedProgram[], system: System): Promise<void> {
  const deadline = system.now() + LEFTOVER_WAIT_MS;
  return new Promise((resolve) => {
    const check = () => {
      if (system.now() >= deadline || !programs.some((program) => program.hasProcessesLeft())) resolve();
      else system.setTimer(LEFTOVER_POLL_MS, check);
    };
    check();
  });
}

/** Asks each program to stop and resolves once none of them is stopping any more. */
export async function stopPrograms(targets: readonly ManagedProgram[], system: System): Promise<void> {
  for (const program of targets) {
    program.dispatch({ type: 'stop' });
    program.pollAdoptedSoon();
  }
  await Promise.all(targets.map((program) => settle(program, system)));
}
