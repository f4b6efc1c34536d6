// A Node HTTP server that takes its listening socket from tend (LISTEN_FDS, fd 3) and falls back to
// binding PORT itself when run alone. On SIGTERM it stops accepting, answers what it has with
// `Connection: close`, and exits once its connections are done: with a held socket, connections that
// arrive meanwhile wait in the kernel's backlog for the next process. See docs/reload.md.
import { createServer } from 'node:http';

const startedAt = Date.now();
let closing = false;

const server = createServer((request, response) => {
  if (request.url === '/health') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  // Keep-alive clients are told to reconnect while this process drains.
  if (closing) response.setHeader('connection', 'close');
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify({ pid: process.pid, uptimeMs: Date.now() - startedAt })}\n`);
});
server.keepAliveTimeout = 5000;

/** systemd's sd_listen_fds(): the fds are ours only when LISTEN_PID is this process. */
function getListenFd() {
  if (Number(process.env.LISTEN_PID) !== process.pid) return null;
  return Number(process.env.LISTEN_FDS) >= 1 ? 3 : null;
}

const fd = getListenFd();
if (fd !== null) server.listen({ fd });
else server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');

server.on('listening', () => {
  const where =
    fd !== null
      ? `fd ${fd} (${process.env.LISTEN_FDNAMES ?? 'unnamed'})`
      : `port ${process.env.PORT ?? 3000}`;
  console.log(`pid ${process.pid} serving on ${where}`);
});

process.on('SIGTERM', () => {
  closing = true;
  // close(): no new connections on this process (the socket stays open in tend and in the new
  // process); idle keep-alive connections are closed now, busy ones after their response.
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
