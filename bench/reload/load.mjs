// A keep-alive HTTP/1.1 load generator on 127.0.0.1 for the reload benchmark: C connections, each
// sending GET / back to back and timing every response. A response with `Connection: close` or a
// closed connection means a new connection for the next request.
//
// A request that fails on a connection that already served requests, before any byte of its answer
// came back, is retried once on a new connection: the server closed an idle keep-alive connection as
// the request went out (RFC 9112 §9.3.1 allows it for idempotent requests; browsers, Go's
// http.Transport and undici do the same). Those are counted as `retried`; a request that fails again,
// or on a fresh connection, or gets a non-200, is `failed`.
import { connect } from 'node:net';

const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: tend-bench\r\n\r\n');
const REQUEST_TIMEOUT_MS = 10_000;

export function startLoad({ port, connections = 8 }) {
  const stats = { sent: 0, ok: 0, failed: 0, retried: 0, latenciesMs: [], errors: new Map() };
  let running = true;
  const loops = Array.from({ length: connections }, () => runConnection(port, stats, () => running));
  return {
    stats,
    /** Stops sending and resolves with the totals once every request in flight has ended. */
    async stop() {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}

async function runConnection(port, stats, isRunning) {
  let connection = null;
  while (isRunning()) {
    const fresh = connection === null || connection.closed;
    if (fresh) connection = openConnection(port);
    const started = process.hrtime.bigint();
    stats.sent += 1;
    let result = await connection.request();
    if (!result.ok && !fresh && result.bytes === 0) {
      stats.retried += 1;
      connection = openConnection(port);
      result = await connection.request();
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.ok) {
      stats.ok += 1;
      stats.latenciesMs.push(ms);
    } else {
      stats.failed += 1;
      stats.errors.set(result.error, (stats.errors.get(result.error) ?? 0) + 1);
    }
    if (result.close) connection.close();
  }
  connection?.close();
}

/** One client connection: request() resolves { ok, close, bytes, error } for one GET. */
function openConnection(port) {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  let pending = null;
  let buffer = Buffer.alloc(0);
  const state = { closed: false };
  const finish = (result) => {
    const current = pending;
    pending = null;
    if (current) {
      clearTimeout(current.timer);
      current.resolve(result);
    }
  };
  socket.on('data', (chunk) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    if (!pending) return;
    pending.bytes += chunk.length;
    const parsed = parseResponse(buffer);
    if (!parsed) return;
    buffer = buffer.subarray(parsed.length);
    finish({
      ok: parsed.status === 200,
      close: parsed.close,
      bytes: pending.bytes,
      error: `HTTP ${parsed.status}`,
    });
  });
  const onEnd = (error) => {
    state.closed = true;
    if (pending)
      finish({
        ok: false,
        close: true,
        bytes: pending.bytes,
        error: error?.code ?? 'closed before the response',
      });
  };
  socket.on('error', onEnd);
  socket.on('close', () => onEnd());
  return {
    get closed() {
      return state.closed;
    },
    request() {
      return new Promise((resolve) => {
        if (state.closed) {
          resolve({ ok: false, close: true, bytes: 0, error: 'closed before the request' });
          return;
        }
        const timer = setTimeout(() => {
          finish({ ok: false, close: true, bytes: 0, error: 'timeout' });
          socket.destroy();
        }, REQUEST_TIMEOUT_MS);
        pending = { resolve, timer, bytes: 0 };
        socket.write(REQUEST);
      });
    },
    close() {
      state.closed = true;
      socket.destroy();
    },
  };
}

/** A complete response at the head of buffer: status, whether the server closes, its length. */
function parseResponse(buffer) {
  const end = buffer.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const head = buffer.subarray(0, end).toString('latin1');
  const status = Number(head.slice(9, 12));
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
  const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
  let bodyEnd = end + 4 + length;
  if (chunked) {
    const terminator = buffer.indexOf('\r\n0\r\n\r\n', end + 4);
    if (terminator === -1) return null;
    bodyEnd = terminator + 7;
  }
  if (buffer.length < bodyEnd) return null;
  return { status, close: /\r\nconnection:\s*close/i.test(head), length: bodyEnd };
}

export function summarize(stats) {
  const sorted = [...stats.latenciesMs].sort((a, b) => a - b);
  const at = (q) =>
    sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    sent: stats.sent,
    ok: stats.ok,
    failed: stats.failed,
    retried: stats.retried,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted.at(-1) ?? null,
    errors: Object.fromEntries(stats.errors),
  };
}
