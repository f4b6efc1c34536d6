import { DETACHED_ENV, REPORT_FD } from './detach-channel.js';

// Stage 1 of the two-stage detach (detach.ts): the inline program `node -e` runs in the new session,
// and what it is given in its environment.

export const STAGE1_ENV = 'TEND_DAEMON_STAGE1';

export interface StageSpec {
  command: string;
  args: string[];
  umask: number;
  /** What stage 2 finds in its environment: where to report, where to go. */
  detached: string;
}

// Stage 1 (CommonJS for `node -e`): close the fds inherited from outside, set the umask, spawn
// stage 2, report its pid on fd 3, exit. Node opens all its own fds close-on-exec, so on Linux an fd
// above 3 without O_CLOEXEC (0o2000000 in /proc/self/fdinfo) came from whoever started us: a
// daemon must not hold it (an SSH session or a pipeline would wait for it to close).
export const STAGE1_SOURCE = `
const { spawn } = require('node:child_process');
const { closeSync, readdirSync, readFileSync, writeSync } = require('node:fs');
const spec = JSON.parse(process.env.${STAGE1_ENV});
delete process.env.${STAGE1_ENV};
const say = (line) => { try { writeSync(${REPORT_FD}, line + '\\n'); } catch {} };
try {
  for (const name of readdirSync('/proc/self/fd')) {
    if (Number(name) <= ${REPORT_FD}) continue;
    try {
      const flags = /flags:\\s+(\\d+)/.exec(readFileSync('/proc/self/fdinfo/' + name, 'utf8'));
      if (flags && (parseInt(flags[1], 8) & 0o2000000) === 0) closeSync(Number(name));
    } catch {}
  }
} catch {}
process.umask(spec.umask);
const child = spawn(spec.command, spec.args, {
  stdio: ['ignore', 1, 2, ${REPORT_FD}],
  env: { ...process.env, ${DETACHED_ENV}: spec.detached },
});
child.on('spawn', () => { say('pid ' + child.pid); process.exit(0); });
child.on('error', (error) => { say('error ' + error.message); process.exit(1); });
`;
