import { request } from 'node:http';
import { DaemonUnavailableError, type ErrorCode, TendError } from '../errors.js';

// The CLI's side of the control API: one JSON request over the unix socket. Kept free of heavy imports.

interface ErrorBody {
  code?: ErrorCode;
  message?: string;
  /** For BAD_REQUEST: where in the request (`body.restart`) and what was wrong there. */
  field?: string;
  problem?: string;
  /** For a request whose programs cannot start as declared: every problem, by program and key. */
  problems?: { program: string; key: string; message: string }[];
}

export class ApiError extends TendError {
  readonly status: number;
  readonly field: string | null;
  readonly problem: string | null;
  readonly problems: readonly { program: string; key: string; message: string }[];
  constructor(status: number, body: ErrorBody | undefined) {
    super(body?.code ?? 'INTERNAL', body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.field = body?.field ?? null;
    this.problem = body?.problem ?? null;
    this.problems = Array.isArray(body?.problems) ? body.problems : [];
  }
}

export function callApi<T>(socketPath: string, method: string, path: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path: `/v1${path}`,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            return reject(
              new ApiError(res.statusCode ?? 500, { message: `The daemon sent invalid JSON: ${text}` }),
            );
          }
          const status = res.statusCode ?? 500;
          if (status >= 200 && status < 300) return resolve(parsed as T);
          reject(new ApiError(status, (parsed as { error?: ErrorBody } | undefined)?.error));
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      reject(new DaemonUnavailableError(`${error.code ?? error.message} on ${socketPath}`, error));
    });
    req.end(payload);
  });
}

/** A streaming call (JSON lines): calls onRecord for each line until the daemon ends the response. */
export function streamApi(
  socketPath: string,
  path: string,
  onRecord: (record: unknown) => void,
): { done: Promise<void>; cancel(): void } {
  let cancel = () => {};
  const done = new Promise<void>((resolve, reject) => {
    const req = request({ socketPath, method: 'GET', path: `/v1${path}` }, (res) => {
      const status = res.statusCode ?? 500;
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        buffered += text;
        if (status >= 300) return;
        let newline = buffered.indexOf('\n');
        while (newline !== -1) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line) onRecord(JSON.parse(line));
          newline = buffered.indexOf('\n');
        }
      });
      res.on('error', () => resolve());
      res.on('close', () => {
        if (status < 300) return resolve();
        let error: ErrorBody | undefined;
        try {
          error = (JSON.parse(buffered) as { error?: typeof error }).error;
        } catch {
          // not JSON
        }
        reject(new ApiError(status, error));
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      reject(new DaemonUnavailableError(`${error.code ?? error.message} on ${socketPath}`, error));
    });
    cancel = () => req.destroy();
    req.end();
  });
  return { done, cancel: () => cancel() };
}
