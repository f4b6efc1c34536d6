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

/** 536870912 → `512` + the unit (`M`, `Mi`, `m`, …) when a power of 1024 divides it; else bytes. */
export function formatMemory(bytes: number, units: readonly [string, string, string]): string {
  const steps: [number, string][] = [
    [1024 ** 3, units[2]],
    [1024 ** 2, units[1]],
    [1024, units[0]],
  ];
  const found = steps.find(([size]) => bytes % size === 0);
  return found ? `${bytes / found[0]}${found[1]}` : String(bytes);
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
