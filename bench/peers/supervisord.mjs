// supervisord from the Debian package `supervisor` (installed with apt-get when it is missing and the
// bench runs as root). Each instance: a generated supervisord.conf in a temp dir (unix_http_server
// socket, nodaemon, one [program:x] per program), `supervisord -c` launched by the bench, and
// supervisorctl for the commands. supervisord starts its programs when it starts, so "start N" is
// measured from launching `supervisord -c supervisord.conf` (that includes its own start-up).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeHome, removeHome } from '../lib/cleanup.mjs';
import { isAlive, killQuietly, listPids, readCmdline } from '../lib/proc.mjs';
import { run, waitFor } from '../lib/util.mjs';

async function which(name) {
  const result = await run('sh', ['-c', `command -v ${name}`]);
  return result.code === 0 ? result.stdout.trim() : null;
}

function supervisordPids() {
  return listPids().filter((pid) => /supervisord/.test(readCmdline(pid)));
}

function quote(word) {
  const escaped = word.replace(/%/g, '%%');
  return /^[\w@+=:,./-]+$/.test(escaped) ? escaped : `"${escaped.replace(/(["\\])/g, '\\$1')}"`;
}

export default {
  name: 'supervisord',
  startMethods: ['launch'],

  async prepare(ctx) {
    if (!(await which('supervisord')) || !(await which('supervisorctl'))) {
      if (process.getuid?.() !== 0) {
        return {
          ok: false,
          reason: 'supervisord is not installed and the bench is not root (apt-get install supervisor)',
        };
      }
      ctx.log('supervisord: installing the Debian package `supervisor` with apt-get …');
      const before = new Set(supervisordPids());
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      let result = await run('apt-get', ['install', '-y', '--no-install-recommends', 'supervisor'], {
        env,
        timeoutMs: 600_000,
      });
      if (result.code !== 0) {
        await run('apt-get', ['update'], { env, timeoutMs: 600_000 });
        result = await run('apt-get', ['install', '-y', '--no-install-recommends', 'supervisor'], {
          env,
          timeoutMs: 600_000,
        });
      }
      // A package install may start the system's own supervisord; the bench started it, so it stops it.
      for (const pid of supervisordPids()) {
        if (!before.has(pid)) {
          ctx.log(`supervisord: stopping the service the package install started (pid ${pid})`);
          killQuietly(pid, 'SIGTERM');
        }
      }
      if (result.code !== 0 || !(await which('supervisord'))) {
        return {
          ok: false,
          reason: `apt-get install supervisor failed: ${result.stderr.trim().split('\n').slice(-2).join(' ')}`,
        };
      }
    }
    const version = (await run('supervisord', ['--version'])).stdout.trim();
    return { ok: true, version };
  },

  async create(_ctx, { programs }) {
    const home = makeHome('supervisord');
    const conf = join(home, 'supervisord.conf');
    const n = programs.length;
    const lines = [
      '[unix_http_server]',
      `file=${join(home, 'supervisor.sock')}`,
      'chmod=0700',
      '',
      '[supervisord]',
      `logfile=${join(home, 'supervisord.log')}`,
      `pidfile=${join(home, 'supervisord.pid')}`,
      `childlogdir=${join(home, 'logs')}`,
      'nodaemon=true',
      // every program holds pipes and two log files open in supervisord
      `minfds=${Math.max(1024, 8 * n + 256)}`,
      `minprocs=${Math.max(200, 2 * n + 100)}`,
      '',
      '[rpcinterface:supervisor]',
      'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
      '',
      '[supervisorctl]',
      `serverurl=unix://${join(home, 'supervisor.sock')}`,
      '',
    ];
    for (const program of programs) {
      lines.push(
        `[program:${program.name}]`,
        `command=${program.argv.map(quote).join(' ')}`,
        `directory=${home}`,
        'autostart=true',
        'autorestart=true',
        'startsecs=1',
        'stopsignal=TERM',
        'stopwaitsecs=10',
      );
      const env = Object.entries(program.env);
      if (env.length > 0) lines.push(`environment=${env.map(([k, v]) => `${k}="${v}"`).join(',')}`);
      if (program.noRotate) {
        lines.push(
          `stdout_logfile=${join(home, 'logs', `${program.name}.out.log`)}`,
          'stdout_logfile_maxbytes=0',
          'stdout_logfile_backups=0',
        );
      } else {
        lines.push(`stdout_logfile=${join(home, 'logs', `${program.name}.out.log`)}`);
      }
      lines.push(`stderr_logfile=${join(home, 'logs', `${program.name}.err.log`)}`, '');
    }
    writeFileSync(conf, lines.join('\n'));
    await run('mkdir', ['-p', join(home, 'logs')], { check: true });

    const ctl = (args, options = {}) =>
      run('supervisorctl', ['-c', conf, ...args], { cwd: home, ...options });
    let pid = null;

    return {
      home,
      supervisorPid: () => pid,
      logPath: (name) => join(home, 'logs', `${name}.out.log`),
      describeStart: () =>
        '`supervisord -c supervisord.conf` with every program in it (autostart), from launch',

      async start() {
        const child = spawn('supervisord', ['-c', conf], { cwd: home, detached: true, stdio: 'ignore' });
        await new Promise((resolve, reject) => {
          child.once('spawn', resolve);
          child.once('error', reject);
        });
        pid = child.pid;
        child.unref();
      },

      async status() {
        // exits 3 when a program is not RUNNING; the output is what is timed and checked
        return ctl(['status']);
      },

      async diagnose(names) {
        return (await ctl(['status', ...names])).stdout.trim();
      },

      async stopAll() {
        return ctl(['stop', 'all'], { check: true, timeoutMs: 600_000 });
      },

      async teardown() {
        try {
          if (pid !== null && isAlive(pid)) {
            killQuietly(pid, 'SIGTERM');
            await waitFor(() => !isAlive(pid), {
              intervalMs: 20,
              timeoutMs: 60_000,
              what: 'supervisord to exit',
            });
          }
        } finally {
          removeHome(home);
        }
      },
    };
  },
};
