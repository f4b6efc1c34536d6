import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BadRequestError, PayloadTooLargeError } from '../errors.js';
import { enforceRequestDeadlines, NO_CONNECTIONS_CHECK_MS } from './request-deadlines.js';
import { type ApiRequest, type ApiResponse, errorResponse } from './router.js';

// HTTP+JSON on a unix socket, mode 0600. Bodies are capped and parsed here; a malformed request gets
// a 4xx and never reaches the app.

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_STREAM_BUFFER_BYTES = 4 * 1024 * 1024;

export interface ApiHandler {
  handle(request: ApiRequest): Promise<ApiResponse>;
}

/**
 * A client that sends its request slowly (or never finishes its body) must not hold a connection,
 * and so an fd, for ever: the whole request must arrive within REQUEST_TIMEOUT_MS. Long answers
 * (`logs -f`) are not limited; only connections are, to MAX_CONNECTIONS at once.
 */
export const REQUEST_TIMEOUT_MS = 30_000;
export const HEADERS_TIMEOUT_MS = 10_000;
export const MAX_CONNECTIONS = 512;

export interface ServerLimits {
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly maxConnections: number;
}

const DEFAULT_LIMITS: ServerLimits = {
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  headersTimeoutMs: HEADERS_TIMEOUT_MS,
  maxConnections: MAX_CONNECTIONS,
};

/** Out of fds (or kernel memory) for the listening socket: a shortage that passes, never fatal. */
const LISTEN_RETRY_CODES = new Set(['EMFILE', 'ENFILE', 'ENOMEM', 'ENOBUFS']);
const LISTEN_RETRY_FIRST_MS = 100;
const LISTEN_RETRY_MAX_MS = 2000;

/**
 * Listens on the socket; a shortage of fds retries (every 100 ms, doubling up to 2 s) instead of
 * failing, calling `onFault` each time. A failed accept later (EMFILE while a client connects)
 * reaches `onFault` too, with retryMs null: that client is refused, the server goes on.
 */
export async function listenOnSocket(
  socketPath: string,
  app: ApiHandler,
  limits: ServerLimits = DEFAULT_LIMITS,
  onFault: (error: NodeJS.ErrnoException, retryMs: number | null) => void = () => {},
): Promise<Server> {
  for (let retryMs = LISTEN_RETRY_FIRST_MS; ; retryMs = Math.min(retryMs * 2, LISTEN_RETRY_MAX_MS)) {
    try {
      const server = await listenOnce(socketPath, app, limits);
      server.on('error', (error: NodeJS.ErrnoException) => onFault(error, null));
      return server;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (!LISTEN_RETRY_CODES.has(code)) throw error;
      onFault(error as NodeJS.ErrnoException, retryMs);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}

function listenOnce(socketPath: string, app: ApiHandler, limits: ServerLimits): Promise<Server> {
  // Slow clients meet deadlines of their own connection (request-deadlines.ts), not Node's check of
  // every connection once a second, which would wake an idle daemon for ever.
  const server = createServer({ connectionsCheckingInterval: NO_CONNECTIONS_CHECK_MS }, (req, res) => {
    void serve(app, req, res);
  });
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  enforceRequestDeadlines(server, limits);
  server.maxConnections = limits.maxConnections;
  try {
    unlinkSync(socketPath);
  } catch {
    // no stale socket; the caller holds the daemon lock, so an existing one is ours to replace
  }
  return new Promise((resolve, reject) => {
    // The umask makes the socket 0600 from its first instant; chmod states it explicitly.
    const previous = process.umask(0o177);
    server.once('error', (error) => {
      process.umask(previous);
      server.close();
      reject(error);
    });
    server.listen(socketPath, () => {
      process.umask(previous);
      chmodSync(socketPath, 0o600);
      server.removeAllListeners('error');
      resolve(server);
    });
  });
}

async function serve(app: ApiHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: ApiResponse;
  try {
    const url = parseUrl(req.url);
    const body = await readJsonBody(req);
    response = await app.handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body,
    });
  } catch (error) {
    response = errorResponse(error);
    if (error instanceof PayloadTooLargeError) res.setHeader('connection', 'close');
  }
  if (res.destroyed) return;
  if (response.stream) {
    startStream(response, req, res);
    return;
  }
  const payload = JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/**
 * JSON lines, one per record. A client that reads slower than a program writes does not make the
 * daemon buffer without bound: past MAX_STREAM_BUFFER_BYTES records are dropped and counted until
 * the client has read everything buffered ('drain'); then `{"dropped":N}` is sent at once, before
 * any later record, so a follower learns what it missed even when the program has gone quiet.
 */
function startStream(response: ApiResponse, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(response.status, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  const closeListeners: (() => void)[] = [];
  let closed = false;
  let dropped = 0;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners) listener();
  };
  const onDrain = () => {
    if (closed) return;
    res.write(`${JSON.stringify({ dropped })}\n`);
    dropped = 0;
  };
  req.on('close', close);
  res.on('close', close);
  response.stream?.({
    write(record) {
      if (closed) return;
      if (dropped > 0 || res.writableLength > MAX_STREAM_BUFFER_BYTES) {
        // The last write returned false (the buffer is far past its high-water mark): 'drain' comes.
        if (dropped === 0) res.once('drain', onDrain);
        dropped += 1;
        return;
      }
      res.write(`${JSON.stringify(record)}\n`);
    },
    end() {
      if (!closed) res.end();
      close();
    },
    onClose(listener) {
      if (closed) listener();
      else closeListeners.push(listener);
    },
  });
}

/** A request target that is no URL at all (`GET http://[ HTTP/1.1`) is the client's error, not ours. */
function parseUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://tend');
  } catch {
    throw new BadRequestError('url', 'not a valid request target');
  }
}

function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(new PayloadTooLargeError(MAX_BODY_BYTES));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (error) => {
      failed = true;
      reject(error);
    });
    req.on('end', () => {
      if (failed) return;
      if (size === 0) return resolve(undefined);
      if (!isJsonContentType(req.headers['content-type'])) {
        const type = req.headers['content-type'] ?? 'none';
        return reject(new BadRequestError('content-type', `expected application/json, got ${type}`));
      }
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(new BadRequestError('body', `not valid JSON (${(error as Error).message})`));
      }
    });
  });
}

/** `application/json`, with no charset or UTF-8 (the only one JSON.parse of the bytes reads right). */
function isJsonContentType(header: string | undefined): boolean {
  const [type, ...parameters] = (header ?? '').toLowerCase().split(';');
  if (type?.trim() !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [key, value] = parameter.split('=').map((part) => part.trim());
    return key !== 'charset' || value === 'utf-8' || value === '"utf-8"';
  });
}
