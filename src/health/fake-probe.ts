import { type CheckSpec, programInputSchema } from '../config/program-schema.js';
import type { ProbeOutcome } from './probe.js';

// Test helpers for the health checks: checks parsed as the daemon parses them, and probes settled by hand.

/** One check, normalized by the program schema. */
export function makeCheck(input: Record<string, unknown>): CheckSpec {
  const spec = programInputSchema.parse({ name: 'web', command: ['x'], checks: [input] });
  return spec.checks[0] as CheckSpec;
}

/** A probe whose runs the test settles by hand; it records aborts. */
export class FakeProbe {
  runs: { resolve(outcome: ProbeOutcome): void; signal: AbortSignal }[] = [];
  probe = (signal: AbortSignal) =>
    new Promise<ProbeOutcome>((resolve) => {
      this.runs.push({ resolve, signal });
    });
  get last() {
    const run = this.runs.at(-1);
    if (!run) throw new Error('the probe never ran');
    return run;
  }
}

/** Lets settled probe promises deliver their results. */
export const flush = () => new Promise((resolve) => setImmediate(resolve));
