import type { ExportConfig, ExportProgram } from './programs.js';
import type { ExportOptions, NoteSink } from './types.js';

// Small rules more than one exporter uses.

const ROTATION_KEYS = ['logs.maxSize', 'logs.keep', 'logs.compress', 'logs.rotateDaily'];

/** How many multiplications take tend's backoff from `initial` to `max`; 0 for a constant wait. */
export function getBackoffSteps(backoff: { initial: number; multiplier: number; max: number }): number {
  if (backoff.multiplier <= 1 || backoff.initial <= 0 || backoff.initial >= backoff.max) return 0;
  return Math.ceil(Math.log(backoff.max / backoff.initial) / Math.log(backoff.multiplier));
}

/** One note naming the rotation settings the file wrote, with the target's reason. */
export function noteLogRotation(program: ExportProgram, out: NoteSink, reason: string): void {
  const written = ROTATION_KEYS.filter((key) => program.written.has(key));
  if (written.length > 0) out.note(written.join(', '), reason);
}

/** `After=a.service b.service` on one line, nothing when empty. */
export function pushAll(lines: (readonly [string, string] | string)[], key: string, values: string[]): void {
  if (values.length > 0) lines.push([key, values.join(' ')]);
}

/** Whole seconds, rounded up (Kubernetes and compose budgets). */
export function toSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/** The programs to export: those named, or all. */
export function getSelected(config: ExportConfig, options: ExportOptions): ExportProgram[] {
  return config.programs.filter(
    (program) => options.only.length === 0 || options.only.includes(program.name),
  );
}
