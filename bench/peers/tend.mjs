// tend, this checkout (built: dist/cli.js, dist/daemon.js). Each instance gets a fresh TEND_HOME.
//
// How programs are started:
//   up  — one tend.yaml with every program, and one `tend up` (the CLI included): like pm2's
//         ecosystem file, supervisord's config and s6's scan directory.
//   api — POST /v1/programs per program, straight to the unix socket, all requests in flight at
//         once over a few keep-alive connections. The CLI is a thin client of exactly this.
//   cli — one `tend start --name pI -- ARGV` per program, CONCURRENCY CLI processes at a time (a Node
//         process per call dominates; on 2 cores 4 at a time was fastest — see bench/README.md).
// The daemon is started before the clock starts (`tend daemon start`), like pm2's (`pm2 ping`).
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeHome, removeHome } from '../lib/cleanup.mjs';
import { isAlive } from '../lib/proc.mjs';
import { pool, run, waitFor } from '../lib/util.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin', 'tend.js');
const DAEMON = join(ROOT, 'dist', 'daemon.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Why the daemon would run without its native helper (the log path then reads and writes), or null. */
function findNativeProblem() {
  if (process.env.TEND_NO_NATIVE === '1') return 'TEND_NO_NATIVE=1';
  try {
    const native = createRequire(DAEMON)('../build/Release/tend_native.node');
    return native.spliceToFile ? null : 'an old build without the pipe drain';
  } catch (error) {
    return error.message.split('\n')[0];
  }
}

export default {
  name: 'tend',
  startMethods: ['up', 'api'],
  /** The log test needs `logs.maxSize: 0`, which the API takes per program. */
  logStartMethod: 'api',

  async prepare() {
    if (!existsSync(join(ROOT, 'dist', 'cli.js')) || !existsSync(DAEMON)) {
      return { ok: false, reason: 'not built: run `npm run build` first' };
    }
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const notes = [];
    if (newestMtime(join(ROOT, 'src')) > statSync(DAEMON).mtimeMs) {
      notes.push('src/ is newer than dist/: the bench measures the last build (`npm run build` to refresh)');
    }
    const missing = findNativeProblem();
    if (missing) {
      notes.push(
        `the native helper is not in use (${missing}; \`npm ci\` or \`npm run install\` builds it): the log figures measure the read/write fallback, not splice`,
      );
    }
    return { ok: true, version: `${version} (this checkout)`, note: notes.join('; ') || undefined };
  },

  async create(ctx, { programs }) {
    const home = makeHome('tend');
    const env = { ...process.env, TEND_HOME: home };
    delete env.NO_COLOR;
    const cli = (args, options = {}) => run(process.execPath, [CLI, ...args], { env, ...options });
    let daemonPid = null;

    if (ctx.profileDir) {
      // The daemon under the V8 profiler; the profile is written when it exits (daemon stop).
      mkdirSync(ctx.profileDir, { recursive: true });
      const logFd = openSync(join(home, 'daemon.log'), 'a');
      const child = spawn(
        process.execPath,
        [
          '--cpu-prof',
          `--cpu-prof-dir=${ctx.profileDir}`,
          `--cpu-prof-name=tend-${ctx.label}-${process.pid}-${Date.now()}.cpuprofile`,
          DAEMON,
        ],
        {
          detached: true,
          cwd: '/',
          stdio: ['ignore', logFd, logFd, 'pipe'],
          // The daemon's readiness in s6's fd protocol: a newline on fd 3.
          env: { ...env, NOTIFY_FD: '3' },
        },
      );
      closeSync(logFd);
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('profiled daemon did not become ready')), 15_000);
        child.stdio[3].on('data', (chunk) => {
          if (chunk.includes(0x0a)) {
            clearTimeout(timer);
            child.stdio[3].destroy();
            child.unref();
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`profiled daemon exited ${code}`)));
      });
      daemonPid = child.pid;
    } else {
      await cli(['daemon', 'start'], { check: true });
      daemonPid = Number(readFileSync(join(home, 'daemon.pid'), 'utf8').trim());
    }

    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const api = (method, path, body) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            socketPath: join(home, 'tend.sock'),
            agent,
            method,
            path: `/v1${path}`,
            headers: payload
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {},
          },
          (res) => {
            const chunks = [];
            res.on('data', (chunk) => chunks.push(chunk));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              if (res.statusCode >= 200 && res.statusCode < 300) resolve(text ? JSON.parse(text) : undefined);
              else
                reject(new Error(`tend API ${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      });

    const body = (program) => {
      const spec = { name: program.name, command: program.argv, cwd: home, env: program.env };
      // Like supervisord's stdout_logfile_maxbytes=0: the log test measures one growing file.
      if (program.noRotate) spec.logs = { maxSize: 0 };
      return spec;
    };

    return {
      home,
      supervisorPid: () => daemonPid,
      logPath: (name) => join(home, 'logs', `${name}.out.log`),
      describeStart: (method) =>
        method === 'up'
          ? '`tend up` of a tend.yaml with every program'
          : method === 'cli'
            ? `\`tend start --name pI -- ARGV\`, ${ctx.cliConcurrency} CLI processes at a time`
            : 'POST /v1/programs per program on the unix socket, all in flight at once (8 keep-alive connections)',

      async start(method) {
        if (method === 'up') {
          const file = join(home, 'tend.yaml');
          const lines = ['programs:'];
          for (const program of programs) {
            lines.push(`  ${program.name}:`, `    command: ${JSON.stringify(program.argv)}`);
            if (Object.keys(program.env).length > 0) lines.push(`    env: ${JSON.stringify(program.env)}`);
          }
          writeFileSync(file, `${lines.join('\n')}\n`);
          await cli(['up', '-f', file], { check: true, cwd: home, timeoutMs: 600_000 });
          return;
        }
        if (method === 'api') {
          await Promise.all(programs.map((program) => api('POST', '/programs', body(program))));
          return;
        }
        if (programs.some((program) => program.noRotate))
          throw new Error('the CLI has no flag for log rotation');
        const tasks = programs.map((program) => () => {
          const envFlags = Object.entries(program.env).flatMap(([key, value]) => [
            '--env',
            `${key}=${value}`,
          ]);
          return cli(['start', '--name', program.name, ...envFlags, '--', ...program.argv], {
            check: true,
            cwd: home,
          });
        });
        await pool(tasks, ctx.cliConcurrency);
      },

      async status() {
        return cli(['ls'], { check: true });
      },

      /** What tend says about programs whose process the bench did not find. */
      async diagnose(names) {
        const shown = await Promise.all(
          names.map(async (name) => {
            const result = await cli(['show', name, '--json']);
            if (result.code !== 0) return `${name}: tend show exited ${result.code}: ${result.stderr.trim()}`;
            const d = JSON.parse(result.stdout);
            return `${name}: state ${d.state}, pid ${d.pid}, restarts ${d.restarts}, reason ${d.reason}`;
          }),
        );
        const events = await cli(['events', names[0] ?? 'all', '-n', '20']);
        return `${shown.join('; ')}\n${events.stdout.trim()}`;
      },

      async stopAll() {
        return cli(['stop', 'all'], { check: true, timeoutMs: 300_000 });
      },

      async teardown() {
        agent.destroy();
        try {
          await cli(['daemon', 'stop'], { timeoutMs: 120_000 });
          await waitFor(() => !isAlive(daemonPid), {
            intervalMs: 20,
            timeoutMs: 10_000,
            what: 'the tend daemon to exit',
          });
        } finally {
          removeHome(home);
        }
      },
    };
  },
};
