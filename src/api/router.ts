import {
  BadRequestError,
  isTendError,
  MethodNotAllowedError,
  ProgramProblemsError,
  TendError,
} from '../errors.js';
import { getHttpStatus } from './http-status.js';

// Routes as a table: method, path pattern, handler. One place answers an unknown path (404), a
// known path with another method (405), a handler's error (its code's status) and a stream.

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

export interface StreamSink {
  write(record: unknown): void;
  end(): void;
  onClose(listener: () => void): void;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  /** Set for streaming responses (JSON lines): called once headers are sent. */
  readonly stream?: (sink: StreamSink) => void;
}

/** `params` are the pattern's groups, URL-decoded. */
export type Handler = (params: string[], request: ApiRequest) => unknown;

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly pattern: RegExp;
  readonly handler: Handler;
}

/** A handler's answer that is a stream of JSON lines rather than one body. */
export class Streamed {
  constructor(readonly start: (sink: StreamSink) => void) {}
}

export function createRouter(
  prefix: string,
  routes: readonly Route[],
): { handle(request: ApiRequest): Promise<ApiResponse> } {
  return {
    async handle(request) {
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
        const allowed = matching.map((candidate) => candidate.method);
        return errorResponse(new MethodNotAllowedError(request.method, path, allowed));
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
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error instanceof BadRequestError ? { field: error.field, problem: error.problem } : {}),
          ...(error instanceof ProgramProblemsError ? { problems: error.problems } : {}),
        },
      },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: { code: 'INTERNAL', message } } };
}
