#!/usr/bin/env node
// `node bench/reload/run.mjs` — requests under load while a server is reloaded 20 times and while it
// is SIGKILLed 20 times, for a Node and a Python server behind a tend-held socket (and, when pm2 is
// in bench/.peers, the same Node server under pm2 reload in fork and cluster mode). Prints a table
// of requests sent, failed, retried, and p50/p99/max latency; steady state first, for comparison.
// Not a test: figures depend on the machine. See bench/README.md ("Reload").
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

// The CLIs run asynchronously: a synchronous spawn would stall the load generator in this process.
const exec = promisify(execFile);

import { startLoad, summarize } from './load.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PM2 = join(ROOT, 'bench/.peers/node_modules/pm2/bin/pm2');
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20' },
    connections: { type: 'string', default: '8' },
    'steady-ms': { type: 'string', default: '3000' },
  },
});
const COUNT = Number(values.count);
const CONNECTIONS = Number(values.connections);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function getFreePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function underLoad(port, action) {
  const load = startLoad({ port, connections: CONNECTIONS });
  await sleep(300);
  await action();
  await sleep(300);
  return summarize(await load.stop());
}

function tendHome() {
  const home = mkdtempSync(join(tmpdir(), 'tend-reload-bench-'));
  const env = { ...process.env, TEND_HOME: home };
  const tend = async (...args) =>
    (await exec(process.execPath, [join(ROOT, 'bin/tend.js'), ...args], { env })).stdout;
  const row = async () => JSON.parse(await tend('ls', '--json'))[0];
  const close = async () => {
    await tend('daemon', 'stop').catch(() => {});
    rmSync(home, { recursive: true, force: true });
  };
  return { home, tend, row, close };
}

async function benchTend(label, command) {
  const port = await getFreePort();
  const t = tendHome();
  const results = [];
  // resetAfter 300ms: each SIGKILL below comes after a run that counts as stable, so it restarts at
  // once (a real crash loop backs off: that is not what this measures).
  const file = join(t.home, 'tend.json');
  const program = {
    command,
    startSecs: '500ms',
    sockets: [`tcp://127.0.0.1:${port}`],
    backoff: { resetAfter: '300ms' },
  };
  writeFileSync(file, JSON.stringify({ programs: { web: program } }));
  try {
    await t.tend('up', '-f', file);
    while ((await t.row()).state !== 'running') await sleep(50);
    results.push({
      server: label,
      tool: 'tend',
      what: 'steady',
      ...(await underLoad(port, () => sleep(Number(values['steady-ms'])))),
    });
    results.push({
      server: label,
      tool: 'tend',
      what: `${COUNT} × tend reload`,
      ...(await underLoad(port, async () => {
        for (let i = 0; i < COUNT; i++) await t.tend('reload', 'web');
      })),
    });
    results.push({
      server: label,
      tool: 'tend',
      what: `${COUNT} × SIGKILL (crash restart)`,
      ...(await underLoad(port, async () => {
        for (let i = 0; i < COUNT; i++) {
          const { pid } = await t.row();
          process.kill(pid, 'SIGKILL');
          for (let row = await t.row(); row.pid === pid || row.state !== 'running'; row = await t.row())
            await sleep(20);
          await sleep(350);
        }
      })),
    });
  } finally {
    await t.close();
  }
  return results;
}

async function benchPm2(mode) {
  const port = await getFreePort();
  const home = mkdtempSync(join(tmpdir(), 'pm2-reload-bench-'));
  const env = { ...process.env, PM2_HOME: home, PORT: String(port) };
  const pm2 = (...args) => exec(process.execPath, [PM2, ...args], { env }).catch((error) => error);
  const eco = join(home, 'eco.config.js');
  writeFileSync(
    eco,
    `module.exports = { apps: [{ name: 'web', script: ${JSON.stringify(join(ROOT, 'examples/held-socket/server.mjs'))}, exec_mode: '${mode}', instances: ${mode === 'cluster' ? 2 : 1}, env: { PORT: '${port}' } }] };`,
  );
  const results = [];
  try {
    await pm2('start', eco);
    await sleep(1500);
    results.push({
      server: 'node',
      tool: `pm2 ${mode}`,
      what: 'steady',
      ...(await underLoad(port, () => sleep(Number(values['steady-ms'])))),
    });
    results.push({
      server: 'node',
      tool: `pm2 ${mode}`,
      what: `${COUNT} × pm2 reload`,
      ...(await underLoad(port, async () => {
        for (let i = 0; i < COUNT; i++) await pm2('reload', 'web');
      })),
    });
  } finally {
    await pm2('kill');
    rmSync(home, { recursive: true, force: true });
  }
  return results;
}

const rows = [
  ...(await benchTend('node', ['node', join(ROOT, 'examples/held-socket/server.mjs')])),
  ...(await benchTend('python', ['python3', join(ROOT, 'examples/held-socket/server.py')])),
];
if (existsSync(PM2)) {
  rows.push(...(await benchPm2('fork')), ...(await benchPm2('cluster')));
} else console.error('pm2 is not in bench/.peers: skipped (npm install --no-save --prefix bench/.peers pm2)');

const fmt = (ms) => (ms === null ? '-' : `${ms.toFixed(1)} ms`);
console.log('| server | tool | during | sent | failed | retried | p50 | p99 | max |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.server} | ${r.tool} | ${r.what} | ${r.sent} | ${r.failed} | ${r.retried} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.maxMs)} |`,
  );
}
const errors = rows.filter((r) => Object.keys(r.errors).length > 0);
for (const r of errors) console.log(`errors, ${r.server} ${r.tool} ${r.what}: ${JSON.stringify(r.errors)}`);
