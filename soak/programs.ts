import { fixture, type ProgramRow } from '../test/e2e/helpers.js';
import { callApiOk } from './api.js';

// The soak's programs, created through the API (for settings the CLI has no flag for):
// - sleepers: killed at random; they count as stable after 100 ms, so each kill restarts at once;
// - healthy: left alone for the whole soak; they must never restart or change pid;
// - crash loopers: exit 1 at once, forever, under the documented default backoff;
// - writers: write numbered lines at a steady rate, into logs that rotate at a small size.

export const SLEEPER_RESET_AFTER_MS = 100;
/** The documented defaults, spelled out so the soak checks them rather than whatever they become. */
export const CRASH_BACKOFF = { initialMs: 250, multiplier: 2, maxMs: 30_000 } as const;
const WRITER_LOG_KEEP = 10_000;

export function getNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${index + 1}`);
}

export function createSleeper(socket: string, home: string, name: string): Promise<ProgramRow> {
  return createProgram(socket, {
    name,
    command: [fixture('sleeper.sh')],
    cwd: home,
    startSecs: '50ms',
    backoff: { resetAfter: `${SLEEPER_RESET_AFTER_MS}ms` },
    stopTimeout: '2s',
  });
}

export function createHealthy(socket: string, home: string, name: string): Promise<ProgramRow> {
  return createProgram(socket, { name, command: [fixture('sleeper.sh')], cwd: home });
}

export function createCrashLooper(socket: string, home: string, name: string): Promise<ProgramRow> {
  return createProgram(socket, {
    name,
    command: [fixture('crash.sh'), '1'],
    cwd: home,
    backoff: {
      initial: CRASH_BACKOFF.initialMs,
      multiplier: CRASH_BACKOFF.multiplier,
      max: CRASH_BACKOFF.maxMs,
      resetAfter: '10s',
    },
  });
}

export function createWriter(
  socket: string,
  home: string,
  name: string,
  linesPerSecond: number,
  logMaxSize: string,
): Promise<ProgramRow> {
  return createProgram(socket, {
    name,
    command: [process.execPath, fixture('soak-writer.mjs'), String(linesPerSecond)],
    cwd: home,
    startSecs: '100ms',
    logs: { maxSize: logMaxSize, keep: WRITER_LOG_KEEP },
  });
}

function createProgram(socket: string, spec: Record<string, unknown>): Promise<ProgramRow> {
  return callApiOk<ProgramRow>(socket, 'POST', '/v1/programs', { body: spec });
}

export function listPrograms(socket: string): Promise<ProgramRow[]> {
  return callApiOk<ProgramRow[]>(socket, 'GET', '/v1/programs');
}

/**
 * Restarts the backoff schedule allows within `elapsedMs` of the first start: the k-th restart
 * comes at the earliest after the first k delays (each run takes some time too, so fewer is fine).
 */
export function getMaxCrashRestarts(elapsedMs: number, slackPerRunMs = 0): number {
  let restarts = 0;
  let at = 0;
  for (;;) {
    const delayMs = Math.min(
      CRASH_BACKOFF.maxMs,
      CRASH_BACKOFF.initialMs * CRASH_BACKOFF.multiplier ** restarts,
    );
    at += delayMs + slackPerRunMs;
    if (at > elapsedMs) return restarts;
    restarts += 1;
  }
}
