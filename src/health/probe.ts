import type { CheckSpec } from '../config/program-schema.js';
import { createExecProbe } from './exec-probe.js';
import { createHttpProbe } from './http-probe.js';
import { createTcpProbe } from './tcp-probe.js';

// A probe runs one check once. It never throws: a failure is an outcome with a message. The runner
// owns the timeout and aborts the signal when it passes; a probe then lets go of what it holds.

export const OUTPUT_KEPT_BYTES = 4096;

export interface ProbeOutcome {
  readonly ok: boolean;
  /** One line: `HTTP 503`, `exit 2`, `connect ECONNREFUSED 127.0.0.1:5432`. */
  readonly message: string;
  /** What the check printed (exec: the last 4 KB) or answered (http: the first 4 KB of the body). */
  readonly output: string;
}

export type Probe = (signal: AbortSignal) => Promise<ProbeOutcome>;

/** Where an exec check runs: the program's directory, environment and credentials. */
export interface ProbeContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid?: number;
  readonly gid?: number;
}

export function createProbe(check: CheckSpec, context: ProbeContext): Probe {
  if (check.http) return createHttpProbe(check.http);
  if (check.tcp) return createTcpProbe(check.tcp);
  if (check.exec) return createExecProbe(check.exec, context);
  throw new Error(`check "${check.name}" has no http, tcp or exec`);
}
