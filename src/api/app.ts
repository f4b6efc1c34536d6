import { homedir } from 'node:os';
import { isAbsolute } from 'node:path';
import type { ProgramSpec } from '../config/program-schema.js';
import { BadRequestError, isTendError, TendError } from '../errors.js';
import type { ProgramLogs } from '../logs/program-logs.js';
import type { TendPaths } from '../paths.js';
import { normalizeSignal } from '../signals.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { applyRoute, downRoute, scaleRoute } from './config-routes.js';
import { getHttpStatus } from './http-status.js';
import { collectTail, followLogs, parseLogQuery, type StreamSink } from './log-routes.js';
import { createProgramBody, parseOrThrow, shutdownBody, signalBody, targetName } from './schemas.js';
import { toDetailView, toStatusView } from './views.js';

// The control API as a transport-free function: request in, response out. The server feeds it from a
// unix socket; tests call it directly. It only calls public methods of the supervisor.

export const API_VERSION = 'v1';
const DEFAULT_EVENTS_LIMIT = 50;
const MAX_EVENTS_LIMIT = 10_000;

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  /** Set for streaming responses (JSON lines): called once headers are sent. */
  readonly stream?: (sink: StreamSink) => void;
}

export interface DaemonInfo {
  readonly pid: number;
  readonly version: string;
  readonly apiVersion: string;
  readonly startedAt: string;
  readonly home: string;
  readonly programs: number;
  /** How many of them have a process (starting, running, stopping). */
  readonly runningPrograms: number;
  /** The largest stop timeout among the programs: a boot unit's stop timeout must exceed it. */
  readonly maxStopTimeoutMs: number;
  /** The daemon reports to an init system (sd_notify): systemd started it, not a shell. */
  readonly supervised: boolean;
}

export interface AppDeps {
  readonly supervisor: Supervisor;
  readonly logs: ProgramLogs;
  readonly paths: TendPaths;
  readonly now: () => number;
  readonly getDaemonInfo: () => DaemonInfo;
  /** Asks the daemon to exit once the response is sent. */
  readonly requestShutdown: (stopPrograms: boolean) => void;
  /** Asks the daemon to hand over to a successor (same programs, new pid) once the response is sent. */
  readonly requestRestart: () => void;
}

type Handler = (params: string[], request: ApiRequest) => unknown;
interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: Handler;
}

export function createApp(deps: AppDeps): { handle(request: ApiRequest): Promise<ApiResponse> } {
  const { supervisor, logs, now } = deps;
  const status = (snapshots: ReturnType<Supervisor['list']>) => snapshots.map((s) => toStatusView(s, now()));
  const name = (params: string[]) => parseOrThrow(targetName, params[0], 'name');
  const single = (params: string[]) => {
    const value = name(params);
    if (value === 'all') throw new BadRequestError('name', '"all" cannot be used here');
    return value;
  };

  const routes: Route[] = [
    { method: 'GET', pattern: /^\/daemon$/, handler: () => deps.getDaemonInfo() },
    {
      method: 'POST',
      pattern: /^\/daemon\/shutdown$/,
      handler: (_params, request) => {
        const body = parseOrThrow(shutdownBody, request.body ?? {}, 'body');
        deps.requestShutdown(body.stopPrograms);
        return { shuttingDown: true, stopPrograms: body.stopPrograms };
      },
    },
    {
      method: 'POST',
      pattern: /^\/daemon\/restart$/,
      handler: () => {
        deps.requestRestart();
        return { restarting: true, pid: deps.getDaemonInfo().pid };
      },
    },
    { method: 'GET', pattern: /^\/programs$/, handler: () => status(supervisor.list()) },
    {
      method: 'POST',
      pattern: /^\/apply$/,
      handler: (_params, request) => applyRoute(supervisor, request.body),
    },
    {
      method: 'POST',
      pattern: /^\/down$/,
      handler: (_params, request) => downRoute(supervisor, request.body),
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/scale$/,
      handler: (params, request) => scaleRoute(supervisor, single(params), request.body),
    },
    {
      method: 'POST',
      pattern: /^\/programs$/,
      handler: (_params, request) => {
        const { start, ...input } = parseOrThrow(createProgramBody, request.body, 'body');
        const cwd = input.cwd ?? homedir();
        if (!isAbsolute(cwd)) throw new BadRequestError('body.cwd', `must be an absolute path, got "${cwd}"`);
        const spec: ProgramSpec = { ...input, cwd };
        return toStatusView(supervisor.create(spec, start), now());
      },
    },
    {
      method: 'GET',
      pattern: /^\/programs\/([^/]+)$/,
      handler: (params, request) => {
        const program = single(params);
        const showEnv = request.query.get('env') === 'true';
        const snapshot = supervisor.get(program);
        const logView = { ...logs.getTargets(snapshot.spec), faults: logs.getFaults(program) };
        return toDetailView(snapshot, now(), logView, showEnv, supervisor.getSockets(snapshot.spec));
      },
    },
    {
      method: 'GET',
      pattern: /^\/programs\/([^/]+)\/events$/,
      handler: (params, request) => {
        const program = name(params);
        const limit = Number(request.query.get('limit') ?? DEFAULT_EVENTS_LIMIT);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_LIMIT) {
          throw new BadRequestError('limit', `expected an integer from 1 to ${MAX_EVENTS_LIMIT}`);
        }
        return supervisor.events(program === 'all' ? null : program, limit);
      },
    },
    {
      method: 'GET',
      pattern: /^\/programs\/([^/]+)\/logs$/,
      handler: (params, request) => {
        const query = parseLogQuery(name(params), request.query, supervisor, now());
        const tail = collectTail(query, supervisor, logs);
        return streamed((sink) => {
          for (const line of tail) sink.write(line);
          if (query.follow) followLogs(query, logs, sink);
          else sink.end();
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/logs\/flush$/,
      handler: (params) => {
        const target = name(params);
        const names =
          target === 'all' ? supervisor.list().map((s) => s.spec.name) : [supervisor.get(target).spec.name];
        return { flushed: names.flatMap((program) => logs.flush(program)) };
      },
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/start$/,
      handler: (p) => status(supervisor.start(name(p))),
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/stop$/,
      handler: async (p) => status(await supervisor.stop(name(p))),
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/restart$/,
      handler: async (p) => status(await supervisor.restart(name(p))),
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/signal$/,
      handler: (params, request) => {
        const body = parseOrThrow(signalBody, request.body, 'body');
        const signal = normalizeSignal(body.signal) as NodeJS.Signals;
        return toStatusView(supervisor.signal(single(params), signal), now());
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/programs\/([^/]+)$/,
      handler: async (params) => ({ deleted: await supervisor.delete(name(params)) }),
    },
  ];

  return {
    async handle(request) {
      const prefix = `/${API_VERSION}`;
      if (!request.path.startsWith(`${prefix}/`)) {
        return errorResponse(
          new TendError('NOT_FOUND', `Unknown API path "${request.path}" (this daemon speaks ${prefix})`),
        );
      }
      const path = request.path.slice(prefix.length);
      const matching = routes.filter((route) => route.pattern.test(path));
      if (matching.length === 0)
        return errorResponse(new TendError('NOT_FOUND', `Unknown API path "${request.path}"`));
      const route = matching.find((candidate) => candidate.method === request.method);
      if (!route) {
        const allowed = matching.map((candidate) => candidate.method).join(', ');
        return {
          status: 405,
          body: { error: { code: 'METHOD_NOT_ALLOWED', message: `Use ${allowed} for ${path}` } },
        };
      }
      const params = (route.pattern.exec(path) ?? []).slice(1).map(decodeParam);
      try {
        const result = await route.handler(params, request);
        if (result instanceof Streamed) return { status: 200, body: null, stream: result.start };
        return { status: 200, body: result };
      } catch (error) {
        return errorResponse(error);
      }
    },
  };
}

class Streamed {
  constructor(readonly start: (sink: StreamSink) => void) {}
}

function streamed(start: (sink: StreamSink) => void): Streamed {
  return new Streamed(start);
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function errorResponse(error: unknown): ApiResponse {
  if (isTendError(error)) {
    return {
      status: getHttpStatus(error.code),
      body: { error: { code: error.code, message: error.message } },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: { code: 'INTERNAL', message } } };
}
