import { BadRequestError } from '../errors.js';
import type { StreamName } from '../logs/capture.js';
import type { FileCursor } from '../logs/file-follow.js';
import type { TailQuery } from '../logs/program-tail.js';
import { parseDuration } from '../units.js';
import type { AppDeps } from './deps.js';
import { getTarget } from './program-routes.js';
import { type Route, Streamed } from './router.js';

// /programs/NAME/logs: the last lines, then (with follow=true) live lines, as JSON lines, each with
// the cursor of its file after it; `after` cursors resume a follow where it was; and flush.

export const DEFAULT_TAIL_LINES = 20;
export const MAX_TAIL_LINES = 100_000;

export function getLogRoutes({ supervisor, logs, now }: AppDeps): Route[] {
  /** The programs a NAME stands for (targets.ts: a program, its instances, several, `all`), by their specs. */
  const getSpecs = (target: string) => supervisor.resolve(target).map((name) => supervisor.get(name).spec);
  return [
    {
      method: 'GET',
      pattern: /^\/programs\/([^/]+)\/logs$/,
      handler: (params, request) => {
        const specs = getSpecs(getTarget(params));
        const query = parseTailQuery(request.query, now());
        const tail = logs.tail(specs, query);
        const follow = request.query.get('follow') === 'true';
        const after = parseCursors(request.query.getAll('after'));
        return new Streamed((sink) => {
          for (const line of tail) sink.write(line);
          if (!follow) return sink.end();
          const stop = logs.follow(specs, { streams: query.streams, after }, (line) => sink.write(line));
          sink.onClose(stop);
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/logs\/flush$/,
      handler: (params) => {
        const names = getSpecs(getTarget(params)).map((spec) => spec.name);
        return { flushed: names.flatMap((program) => logs.flush(program)) };
      },
    },
  ];
}

/** `after=NAME:out:INODE:OFFSET` (repeatable): the cursors a reconnecting follower was given last. */
export function parseCursors(values: readonly string[]): Map<string, FileCursor> {
  const cursors = new Map<string, FileCursor>();
  for (const value of values) {
    const match = /^([^:]+):(out|err):(\d{1,19}):(\d{1,19})$/.exec(value);
    if (!match) throw new BadRequestError('after', `expected NAME:out|err:INODE:OFFSET, got "${value}"`);
    cursors.set(`${match[1]}:${match[2]}`, { ino: Number(match[3]), offset: Number(match[4]) });
  }
  return cursors;
}

export function parseTailQuery(query: URLSearchParams, now: number): TailQuery {
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
  const streams = new Set<StreamName>(stream === 'both' ? ['out', 'err'] : [stream]);
  return { lines, streams, sinceMs: sinceAgo == null ? null : now - sinceAgo };
}
