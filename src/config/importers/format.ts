import { DEFAULT_BACKOFF } from '../program-schema.js';

// Values as tend.yaml spells them: durations `500ms`/`10s`/`2m`, sizes `50MB`, signals `TERM`.

const DURATION_UNITS: readonly [string, number][] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];
const SIZE_UNITS: readonly [string, number][] = [
  ['GB', 1024 ** 3],
  ['MB', 1024 ** 2],
  ['KB', 1024],
];
const MINUTE_MS = 60_000;

/** The largest unit that divides exactly, so nothing is rounded away: 1500 → `1500ms`, 90000 → `90s`. */
export function formatMs(ms: number): string {
  const whole = Math.round(ms);
  if (whole === 0) return '0s';
  for (const [unit, size] of DURATION_UNITS) {
    if (whole > 0 && whole % size === 0) return `${whole / size}${unit}`;
  }
  return `${whole}ms`;
}

export function formatBytes(bytes: number): string | number {
  for (const [unit, size] of SIZE_UNITS) {
    if (bytes > 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return bytes;
}

/** `SIGTERM` → `TERM`, the way tend.yaml examples write signals. */
export function formatSignal(signal: string): string {
  return signal.replace(/^SIG/, '');
}

/**
 * pm2 and supervisord give up after N *consecutive* quick failures; tend counts failures inside a
 * window. A window that fits N back-to-back failures (each up to `quickExitMs` of uptime plus the
 * longest backoff wait) gives the same result; rounded up to whole minutes to read well.
 */
export function getGiveUpWindow(
  failures: number,
  quickExitMs: number,
  maxDelayMs: number = DEFAULT_BACKOFF.maxMs,
): string {
  const longestMs = failures * (quickExitMs + maxDelayMs);
  return formatMs(Math.max(1, Math.ceil(longestMs / MINUTE_MS)) * MINUTE_MS);
}

/**
 * tend.yaml expands `${VAR}` when it is loaded and reads `$$` as `$`. Copied text keeps its meaning
 * (a shell's `${PORT:-5000}` is still expanded by the shell at run time) by doubling those dollars.
 */
export function escapeDollars(text: string): string {
  return text.replace(/\$(?=[{$])/g, '$$$$');
}
