import { BadRequestError } from '../errors.js';
import type { LogRecord } from '../logs/capture.js';
import type { ProgramLogs } from '../logs/program-logs.js';
import { type TailRecord, tailLog } from '../logs/tail.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { parseDuration } from '../units.js';

// GET /v1/programs/NAME/logs: the last lines, then (with follow=true) live lines, as JSON lines.

export const DEFAULT_TAIL_LINES = 20;
export const MAX_TAIL_LINES = 100_000;

export interface StreamSink {
  write(record: unknown): void;
  end(): void;
  onClose(listener: () => void): void;
}

export interface LogQuery {
  readonly names: string[];
  readonly lines: number;
  readonly follow: boolean;
  readonly streams: ReadonlySet<'out' | 'err'>;
  readonly sinceMs: number | null;
}

export interface LogLine {
  readonly time: string | null;
  readonly program: string;
  readonly stream: 'out' | 'err';
  readonly line: string;
}

export function parseLogQuery(
  target: string,
  query: URLSearchParams,
  supervisor: Supervisor,
  now: number,
): LogQuery {
  const names =
    target === 'all'
      ? supervisor.list().map((snapshot) => snapshot.spec.name)
      : [supervisor.get(target).spec.name];
  const lines = Number(query.get('lines') ?? DEFAULT_TAIL_LINES);
  if (!Number.isInteger(lines) || lines < 0 || lines > MAX_TAIL_LINES) {
    throw new BadRequestError('lines', `expected an integer from 0 to ${MAX_TAIL_LINES}`);
  }
  const stream = query.get('stream') ?? 'both';
  if (stream !== 'out' && stream !== 'err' && stream !== 'both') {
    throw new BadRequestError('stream', `expected out, err or both, got "${stream}"`);
  }
  const since = query.get('since');
  const sinceAgo = since === null ? null : parseDuration(since);
  if (since !== null && sinceAgo === undefined) {
    throw new BadRequestError('since', `expected a duration like 10m, got "${since}"`);
  }
  const follow = query.get('follow') === 'true';
  const streams = new Set<'out' | 'err'>(stream === 'both' ? ['out', 'err'] : [stream]);
  return { names, lines, follow, streams, sinceMs: sinceAgo == null ? null : now - sinceAgo };
}

/** Records of several programs interleaved by time where times are known; per program otherwise. */
export function collectTail(query: LogQuery, supervisor: Supervisor, logs: ProgramLogs): LogLine[] {
  const all: { program: string; record: TailRecord }[] = [];
  for (const name of query.names) {
    const spec = supervisor.get(name).spec;
    const targets = logs.getTargets(spec);
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
      all.push({ program: name, record });
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

/** Live lines of the programs until the client goes away. */
export function followLogs(query: LogQuery, logs: ProgramLogs, sink: StreamSink): void {
  const unsubscribers: (() => void)[] = [];
  for (const name of query.names) {
    const capture = logs.getCapture(name);
    if (!capture) continue;
    unsubscribers.push(
      capture.subscribe((record: LogRecord) => {
        if (!query.streams.has(record.stream)) return;
        sink.write({
          time: new Date(record.time).toISOString(),
          program: name,
          stream: record.stream,
          line: record.line,
        });
      }),
    );
  }
  sink.onClose(() => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  });
}
