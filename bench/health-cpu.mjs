#!/usr/bin/env node
// What health checks cost the daemon: N programs (sleepers), each with one check at a 1 s period,
// against one local HTTP server; the daemon's CPU (utime + stime from /proc) over a window after a
// settle. `node bench/health-cpu.mjs [--kind http|tcp|exec] [--n 100] [--seconds 20]`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    kind: { type: 'string', default: 'http' },
    n: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
  },
});
const n = Number(values.n);
const seconds = Number(values.seconds);
const home = mkdtempSync(join(tmpdir(), 'tend-health-cpu-'));
const env = { ...process.env, TEND_HOME: home };
const tend = (...args) =>
  spawnSync(process.execPath, [join(ROOT, 'bin/tend.js'), ...args], { env, encoding: 'utf8' });

const server = createServer((_request, response) => response.end('ok'));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const check = {
  http: { http: `http://127.0.0.1:${port}/health` },
  tcp: { tcp: `127.0.0.1:${port}` },
  exec: { exec: ['true'] },
}[values.kind];
const programs = Object.fromEntries(
  Array.from({ length: n }, (_, i) => [
    `p${i}`,
    { command: ['sleep', '100000'], checks: [{ ...check, period: '1s' }] },
  ]),
);
const file = join(home, 'tend.json');
writeFileSync(file, JSON.stringify({ programs }));
try {
  const up = tend('up', '-f', file);
  if (up.status !== 0) throw new Error(up.stderr);
  const pid = Number(readFileSync(join(home, 'daemon.pid'), 'utf8'));
  const ticks = () => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const before = ticks();
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpuMs = (ticks() - before) * 10;
  const wallMs = Date.now() - started;
  const ls = JSON.parse(tend('ls', '--json').stdout);
  const healthy = ls.filter((row) => row.health === 'healthy').length;
  console.log(
    `${n} ${values.kind} checks at 1 s: daemon CPU ${((cpuMs / wallMs) * 100).toFixed(2)} % of one core over ${seconds} s (${(cpuMs / (n * seconds)).toFixed(3)} ms per check run); ${healthy}/${n} healthy`,
  );
} finally {
  tend('daemon', 'stop');
  server.close();
  rmSync(home, { recursive: true, force: true });
}
