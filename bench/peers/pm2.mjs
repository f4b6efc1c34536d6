// pm2, installed on first use into bench/.peers (`npm install --no-save --prefix bench/.peers pm2`),
// with its own PM2_HOME per instance. Programs are started the fastest way pm2 offers: one ecosystem
// file with every app (`interpreter: 'none'`, so pm2 spawns the binary itself) and one
// `pm2 start eco.config.js`. The God daemon is started before the clock starts (`pm2 ping`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PEERS_DIR } from '../lib/children.mjs';
import { makeHome, removeHome } from '../lib/cleanup.mjs';
import { isAlive } from '../lib/proc.mjs';
import { run, waitFor } from '../lib/util.mjs';

const PM2_DIR = join(PEERS_DIR, 'node_modules', 'pm2');
const PM2 = join(PM2_DIR, 'bin', 'pm2');

export default {
  name: 'pm2',
  startMethods: ['ecosystem'],

  async prepare(ctx) {
    if (!existsSync(PM2)) {
      ctx.log('pm2: installing with `npm install --no-save --prefix bench/.peers pm2` …');
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      try {
        const result = await run(
          npm,
          ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', PEERS_DIR, 'pm2'],
          {
            timeoutMs: 600_000,
          },
        );
        if (result.code !== 0 || !existsSync(PM2)) {
          return {
            ok: false,
            reason: `npm install pm2 failed: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ')}`,
          };
        }
      } catch (error) {
        return { ok: false, reason: `npm install pm2 failed: ${error.message}` };
      }
    }
    const { version } = JSON.parse(readFileSync(join(PM2_DIR, 'package.json'), 'utf8'));
    return { ok: true, version };
  },

  async create(_ctx, { programs }) {
    const home = makeHome('pm2');
    const env = { ...process.env, PM2_HOME: home };
    const pm2 = (args, options = {}) => run(process.execPath, [PM2, ...args], { env, cwd: home, ...options });
    await pm2(['ping'], { check: true });
    const godPid = Number(readFileSync(join(home, 'pm2.pid'), 'utf8').trim());

    const ecosystem = join(home, 'eco.config.js');
    const apps = programs.map((program) => ({
      name: program.name,
      script: program.argv[0],
      args: program.argv.slice(1),
      interpreter: 'none',
      exec_mode: 'fork',
      autorestart: true,
      cwd: home,
      env: program.env,
    }));
    writeFileSync(ecosystem, `module.exports = ${JSON.stringify({ apps }, null, 1)};\n`);

    return {
      home,
      supervisorPid: () => godPid,
      // pm2's default: PM2_HOME/logs/NAME-out.log, never rotated without the pm2-logrotate module
      logPath: (name) => join(home, 'logs', `${name}-out.log`),
      describeStart: () => '`pm2 start eco.config.js` (one ecosystem file with every app)',

      async start() {
        await pm2(['start', ecosystem], { check: true, timeoutMs: 600_000 });
      },

      async status() {
        return pm2(['ls'], { check: true });
      },

      async diagnose(names) {
        const jlist = JSON.parse((await pm2(['jlist'])).stdout || '[]');
        return jlist
          .filter((app) => names.includes(app.name))
          .map(
            (app) =>
              `${app.name}: ${app.pm2_env?.status}, pid ${app.pid}, restarts ${app.pm2_env?.restart_time}`,
          )
          .join('; ');
      },

      async stopAll() {
        return pm2(['stop', 'all'], { check: true, timeoutMs: 600_000 });
      },

      async teardown() {
        try {
          await pm2(['kill'], { timeoutMs: 120_000 });
          await waitFor(() => !isAlive(godPid), {
            intervalMs: 20,
            timeoutMs: 10_000,
            what: 'the pm2 daemon to exit',
          });
        } finally {
          removeHome(home);
        }
      },
    };
  },
};
