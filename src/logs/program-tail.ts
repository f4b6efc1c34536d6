import type { ProgramSpec } from '../config/program-schema.js';
import type { StreamName } from './capture.js';
import { type TailRecord, tailLog } from './tail.js';

// The last lines of several programs' logs (`tend logs`): per program from its files, then
// interleaved by time where every line's time is known; per program otherwise.

export interface TailQuery {
  readonly lines: number;
  readonly streams: ReadonlySet<StreamName>;
  /** Only lines written at or after this time (ms since the epoch); null for all. */
  readonly sinceMs: number | null;
}

export interface LogLine {
  readonly time: string | null;
  readonly program: string;
  readonly stream: StreamName;
  readonly line: string;
}

export function collectTail(
  specs: readonly ProgramSpec[],
  getTargets: (spec: ProgramSpec) => Readonly<Record<StreamName, string>>,
  query: TailQuery,
): LogLine[] {
  const all: { program: string; record: TailRecord }[] = [];
  for (const spec of specs) {
    const targets = getTargets(spec);
    const streams = spec.logs.merge ? (['out'] as const) : (['out', 'err'] as const);
    const perProgram: TailRecord[] = [];
    for (const stream of streams) {
      if (!spec.logs.merge && !query.streams.has(stream)) continue;
      perProgram.push(...tailLog(targets[stream], stream, spec.logs, query.lines, query.sinceMs));
    }
    const timed = perProgram.every((record) => record.time !== null);
    if (timed) perProgram.sort((a, b) => (a.time as number) - (b.time as number));
    for (const record of perProgram.slice(-query.lines)) {
      if (spec.logs.merge && !query.streams.has(record.stream) && spec.logs.format === 'json') continue;
      all.push({ program: spec.name, record });
    }
  }
  if (all.every((entry) => entry.record.time !== null)) {
    all.sort((a, b) => (a.record.time as number) - (b.record.time as number));
  }
  return all.map(({ program, record }) => ({
    time: record.time === null ? null : new Date(record.time).toISOString(),
    program,
    stream: record.stream,
    line: record.line,
  }));
}
