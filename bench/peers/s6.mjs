// s6 from the Debian package `s6` (installed with apt-get when it is missing and the bench runs as
// root). Each instance: a scan directory with one service directory per program (`run` is a
// /bin/sh script that execs the program; the log test's program gets a `log/run` with s6-log), and
// `s6-svscan` launched by the bench. s6-svscan starts one s6-supervise per service when it starts,
// so "start N" is measured from launching `s6-svscan SCANDIR` (that includes its own start-up), like
// supervisord. The supervisor's memory and CPU are s6-svscan's plus every s6-supervise's (and, in
// the log test, s6-log's: it writes the file).
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeHome, removeHome } from '../lib/cleanup.mjs';
import { isAlive, killQuietly, processTree, readCmdline } from '../lib/proc.mjs';
import { run, waitFor } from '../lib/util.mjs';

/** s6-log's largest file before it rotates (its limit), so the log test measures one growing file. */
const S6_LOG_MAX_BYTES = 268_435_455;

async function which(name) {
  const result = await run('sh', ['-c', `command -v ${name}`]);
  return result.code === 0 ? result.stdout.trim() : null;
}

function shellQuote(word) {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function writeScript(path, lines) {
  writeFileSync(path, `#!/bin/sh\n${lines.join('\n')}\n`);
  chmodSync(path, 0o755);
}

export default {
  name: 's6',
  startMethods: ['launch'],

  async prepare(ctx) {
    if (!(await which('s6-svscan'))) {
      if (process.getuid?.() !== 0) {
        return { ok: false, reason: 's6 is not installed and the bench is not root (apt-get install s6)' };
      }
      ctx.log('s6: installing the Debian package `s6` with apt-get …');
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      let result = await run('apt-get', ['install', '-y', '--no-install-recommends', 's6'], {
        env,
        timeoutMs: 600_000,
      });
      if (result.code !== 0) {
        await run('apt-get', ['update'], { env, timeoutMs: 600_000 });
        result = await run('apt-get', ['install', '-y', '--no-install-recommends', 's6'], {
          env,
          timeoutMs: 600_000,
        });
      }
      if (result.code !== 0 || !(await which('s6-svscan'))) {
        return {
          ok: false,
          reason: `apt-get install s6 failed: ${result.stderr.trim().split('\n').slice(-2).join(' ')}`,
        };
      }
    }
    const version = (await run('dpkg-query', ['-W', '-f=${Version}', 's6'])).stdout.trim() || 'unknown';
    return { ok: true, version };
  },

  async create(_ctx, { programs }) {
    const home = makeHome('s6');
    const scan = join(home, 'scan');
    for (const program of programs) {
      const dir = join(scan, program.name);
      mkdirSync(dir, { recursive: true });
      const env = Object.entries(program.env).map(([key, value]) => `${key}=${shellQuote(value)}`);
      writeScript(join(dir, 'run'), [
        `cd ${shellQuote(home)}`,
        `exec ${env.length > 0 ? `env ${env.join(' ')} ` : ''}${program.argv.map(shellQuote).join(' ')}`,
      ]);
      if (program.noRotate) {
        mkdirSync(join(dir, 'log'), { recursive: true });
        mkdirSync(join(home, 'logs', program.name), { recursive: true });
        writeScript(join(dir, 'log', 'run'), [
          `exec s6-log n1 s${S6_LOG_MAX_BYTES} ${shellQuote(join(home, 'logs', program.name))}`,
        ]);
      }
    }
    let pid = null;
    const services = () => programs.map((program) => join(scan, program.name));
    /** s6-svscan and its s6-supervise (and s6-log) processes: together they are s6's supervisor. */
    const supervisorPids = () =>
      pid === null ? [] : processTree(pid).filter((child) => /^s6-/.test(readCmdline(child)));

    return {
      home,
      supervisorPid: () => pid,
      supervisorPids,
      logPath: (name) => join(home, 'logs', name, 'current'),
      describeStart: () => '`s6-svscan SCANDIR` with a service directory per program, from launch',

      async start() {
        const child = spawn('s6-svscan', [scan], { cwd: home, detached: true, stdio: 'ignore' });
        await new Promise((resolve, reject) => {
          child.once('spawn', resolve);
          child.once('error', reject);
        });
        pid = child.pid;
        child.unref();
      },

      async status() {
        // One shell that asks s6-svstat about every service, name first (s6 has no "list all").
        const script = 'for d in "$@"; do printf "%s " "${d##*/}"; s6-svstat "$d"; done';
        return run('sh', ['-c', script, 'status', ...services()], { check: true });
      },

      async diagnose(names) {
        const shown = await Promise.all(
          names.map(async (name) => `${name}: ${(await run('s6-svstat', [join(scan, name)])).stdout.trim()}`),
        );
        return shown.join('; ');
      },

      async stopAll() {
        const script = 'for d in "$@"; do s6-svc -d "$d"; done';
        return run('sh', ['-c', script, 'stop', ...services()], { check: true, timeoutMs: 600_000 });
      },

      async teardown() {
        try {
          if (pid !== null && isAlive(pid)) {
            // s6-svscanctl -t: bring every service down, stop every s6-supervise, exit.
            await run('s6-svscanctl', ['-t', scan]);
            await waitFor(() => !isAlive(pid), {
              intervalMs: 20,
              timeoutMs: 60_000,
              what: 's6-svscan to exit',
            });
          }
        } finally {
          if (pid !== null && isAlive(pid)) killQuietly(pid, 'SIGKILL');
          removeHome(home);
        }
      },
    };
  },
};
