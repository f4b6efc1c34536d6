import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TimeoutError } from '../errors.js';

// Slow clients (a request sent a byte at a time, a body that never ends) must not hold a connection,
// and so an fd, for ever. Node enforces headersTimeout and requestTimeout by checking every connection
// from one interval timer that runs for the server's whole life, even with no connection open (once
// a second for a 10 s limit): a daemon that should cost nothing while nobody talks to it. Here each
// connection carries its own deadline instead, armed only while it is open:
// - the headers of a request within headersTimeoutMs of the connection, or of the previous answer on
//   a kept-alive one (else the connection is closed);
// - the whole request (headers and body) within requestTimeoutMs of its headers (else 408, closed).

export interface RequestDeadlines {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/** The longest interval Node's timers take (about 24.8 days): its own connection check, put aside. */
export const NO_CONNECTIONS_CHECK_MS = 2 ** 31 - 1;

const headerTimers = new WeakMap<Socket, NodeJS.Timeout>();

export function enforceRequestDeadlines(server: Server, limits: RequestDeadlines): void {
  server.on('connection', (socket: Socket) => {
    armHeaders(socket, limits.headersTimeoutMs);
    socket.once('close', () => clearTimeout(headerTimers.get(socket)));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    clearTimeout(headerTimers.get(socket));
    const requestTimer = setTimeout(() => {
      if (req.complete) return;
      if (!res.headersSent) {
        const error = new TimeoutError('the whole request to arrive', limits.requestTimeoutMs);
        res.writeHead(408, { connection: 'close', 'content-type': 'application/json' });
        res.end(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
      }
      socket.destroySoon();
    }, limits.requestTimeoutMs);
    req.once('end', () => clearTimeout(requestTimer));
    // 'close' of the response, once per request (the socket's would pile up on a kept-alive one).
    res.once('close', () => clearTimeout(requestTimer));
    res.once('finish', () => {
      if (!socket.destroyed) armHeaders(socket, limits.headersTimeoutMs);
    });
  });
}

function armHeaders(socket: Socket, timeoutMs: number): void {
  clearTimeout(headerTimers.get(socket));
  headerTimers.set(
    socket,
    setTimeout(() => socket.destroy(), timeoutMs),
  );
}
