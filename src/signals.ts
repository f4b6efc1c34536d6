import { constants } from 'node:os';

// Signal names are accepted as `TERM`, `SIGTERM` or a number; they are stored as `SIGTERM`.

const SIGNAL_NUMBERS = constants.signals as Record<string, number>;

export function normalizeSignal(input: string | number): NodeJS.Signals | undefined {
  if (typeof input === 'number' || /^\s*\d+\s*$/.test(input)) {
    const wanted = Number(input);
    const found = Object.entries(SIGNAL_NUMBERS).find(([, value]) => value === wanted);
    return found ? (found[0] as NodeJS.Signals) : undefined;
  }
  const upper = input.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return name in SIGNAL_NUMBERS ? (name as NodeJS.Signals) : undefined;
}

export function getSignalNumber(signal: NodeJS.Signals): number {
  return SIGNAL_NUMBERS[signal] ?? 0;
}

/** The exit status a shell (and tini) reports for a death by signal: 128 + the signal number. */
export function getExitStatus(code: number | null, signal: NodeJS.Signals | null): number | null {
  if (signal) return 128 + getSignalNumber(signal);
  return code;
}
