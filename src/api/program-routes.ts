import { homedir } from 'node:os';
import { isAbsolute } from 'node:path';
import type { ProgramSpec } from '../config/program-schema.js';
import { BadRequestError } from '../errors.js';
import type { ProgramSnapshot } from '../program-record.js';
import { normalizeSignal } from '../signals.js';
import type { AppDeps } from './deps.js';
import type { Route } from './router.js';
import { createProgramBody, parseOrThrow, signalBody, targetName } from './schemas.js';
import { toDetailView, toStatusView } from './views.js';

// /programs: create, list, show, history, start, stop, restart, reload, signal, delete.

const DEFAULT_EVENTS_LIMIT = 50;
const MAX_EVENTS_LIMIT = 10_000;

/** The NAME of a path: programs, a program key (its instances), several comma-separated, or `all`. */
export function getTarget(params: string[]): string {
  return parseOrThrow(targetName, params[0], 'name');
}

export function getProgramRoutes({ supervisor, logs, now }: AppDeps): Route[] {
  const status = (snapshots: ProgramSnapshot[]) => snapshots.map((s) => toStatusView(s, now()));
  /** A NAME that must stand for exactly one program (show). */
  const getSingleTarget = (params: string[]) => {
    const names = supervisor.resolve(getTarget(params));
    if (names.length !== 1)
      throw new BadRequestError('name', `expected one program, "${params[0]}" names ${names.length}`);
    return names[0] as string;
  };
  return [
    {
      method: 'GET',
      pattern: /^\/programs$/,
      handler: (_params, request) => {
        const names = request.query.get('names');
        if (names === null) return status(supervisor.list());
        return status(
          supervisor.resolve(parseOrThrow(targetName, names, 'names')).map((n) => supervisor.get(n)),
        );
      },
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
        const program = getSingleTarget(params);
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
        const program = getTarget(params);
        const limit = Number(request.query.get('limit') ?? DEFAULT_EVENTS_LIMIT);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_LIMIT) {
          throw new BadRequestError('limit', `expected an integer from 1 to ${MAX_EVENTS_LIMIT}`);
        }
        return supervisor.events(program, limit);
      },
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/start$/,
      handler: (params) => status(supervisor.start(getTarget(params))),
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/stop$/,
      handler: async (params) => status(await supervisor.stop(getTarget(params))),
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/restart$/,
      handler: async (params) => status(await supervisor.restart(getTarget(params))),
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/reload$/,
      handler: async (params) => status(await supervisor.reload(getTarget(params))),
    },
    {
      method: 'POST',
      pattern: /^\/programs\/([^/]+)\/signal$/,
      handler: (params, request) => {
        const body = parseOrThrow(signalBody, request.body, 'body');
        const signal = normalizeSignal(body.signal) as NodeJS.Signals;
        return status(supervisor.signal(getTarget(params), signal));
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/programs\/([^/]+)$/,
      handler: async (params) => ({ deleted: await supervisor.delete(getTarget(params)) }),
    },
  ];
}
