// A tiny HTTP API to run under tend: `npx tend start --name api -- node examples/web-api.mjs`.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
let requests = 0;

const server = createServer((req, res) => {
  requests += 1;
  console.log(`${new Date().toISOString()} ${req.method} ${req.url}`);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ok: true, pid: process.pid, requests }));
});

server.listen(port, () => console.log(`listening on http://localhost:${port} (pid ${process.pid})`));

// Graceful stop: tend sends SIGTERM, then SIGKILL at the stop timeout.
process.on('SIGTERM', () => {
  console.log('SIGTERM: closing the server');
  server.close(() => process.exit(0));
});
