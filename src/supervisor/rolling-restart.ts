import { ReloadFailedError } from '../errors.js';
import type { ProgramSnapshot, State, StateChange } from '../program-record.js';
import type { ManagedProgram } from './managed-program.js';
import { settle } from './program-waits.js';
import { MAX_TIMER_MS, type System } from './system.js';

// Restarting and reloading programs one at a time, each waiting for the previous one.

/** Beyond a program's own start and stop time, how long a rolling restart waits for each instance. */
const ROLL_GRACE_MS = 5000;

type WaitForState = (
  name: string,
  accept: (state: State, snapshot: ProgramSnapshot) => boolean,
  timeoutMs: number,
) => Promise<ProgramSnapshot>;

/**
 * The instances of one program go one at a time (rolling): each waits until the previous one runs
 * again, and the roll stops at the first that does not. Different programs go side by side.
 */
export async function restartRolling(
  targets: readonly ManagedProgram[],
  system: System,
  waitForState: WaitForState,
): Promise<void> {
  const byKey = new Map<string, ManagedProgram[]>();
  for (const program of targets) {
    const { spec } = program.snapshot();
    const key = spec.instanceOf ?? spec.name;
    byKey.set(key, [...(byKey.get(key) ?? []), program]);
  }
  await Promise.all([...byKey.values()].map((group) => restartInTurn(group, system, waitForState)));
}

/** The roll stops at the first instance that does not run again, so a bad release stays on one. */
export async function restartInTurn(
  group: readonly ManagedProgram[],
  system: System,
  waitForState: WaitForState,
): Promise<void> {
  for (const [index, program] of group.entries()) {
    program.dispatch({ type: 'restart' });
    program.pollAdoptedSoon();
    await settle(program, system);
    if (index === group.length - 1) return;
    const { spec } = program.snapshot();
    const limitMs = Math.min(
      (spec.ready === 'startSecs' ? spec.startSecs : spec.startTimeout) + spec.stopTimeout + ROLL_GRACE_MS,
      MAX_TIMER_MS,
    );
    const settled = await waitForState(program.name, (state) => state !== 'starting', limitMs).catch(() =>
      program.snapshot(),
    );
    if (settled.state !== 'running') return;
  }
}

/** Resolves when the program's reload is over and it runs; rejects with the reason it is not. */
export function reloadOne(program: ManagedProgram): Promise<void> {
  return new Promise((resolve, reject) => {
    const onChange = (change: StateChange) => {
      // Over when it leaves `reloading` (or never entered it: a reload signal without notify).
      if (change.to === 'reloading') return;
      program.off('state-changed', onChange);
      const reason = change.reason ?? '';
      if (change.to === 'running' && (change.event === 'reload' || reason.startsWith('reloaded'))) resolve();
      else reject(new ReloadFailedError(program.name, reason || `it is ${change.to}`));
    };
    program.on('state-changed', onChange);
    program.dispatch({ type: 'reload' });
  });
}
