// What `npm run mutate` breaks, and which tests must notice. Generated mutations cover the pure and
// critical modules; curated ones are the behavioural promises the e2e suite makes (issue 15's table).
// A curated `find` must occur exactly once in its file: the script refuses a stale entry.

const STATES = ['stopped', 'starting', 'running', 'backoff', 'stopping', 'exited', 'fatal'];

export const TARGETS = [
  {
    file: 'src/supervisor/transitions.ts',
    tests: ['src/supervisor/transitions.test.ts'],
    swaps: [STATES, ['running', 'stopped'], ['SIGKILL', 'SIGTERM', 'SIGABRT']],
    dropEffects: true,
  },
  {
    file: 'src/supervisor/backoff.ts',
    tests: ['src/supervisor/backoff.test.ts', 'src/supervisor/transitions.test.ts'],
  },
  {
    file: 'src/supervisor/transitions-health.ts',
    tests: ['src/supervisor/transitions.test.ts', 'src/supervisor/managed-program-checks.test.ts'],
    swaps: [STATES],
    dropEffects: true,
  },
  { file: 'src/supervisor/lost-spawns.ts', tests: ['src/supervisor/lost-spawns.test.ts'] },
  {
    file: 'src/health/thresholds.ts',
    tests: ['src/health/thresholds.test.ts', 'src/health/program-health.test.ts'],
  },
  { file: 'src/logs/rotation.ts', tests: ['src/logs/rotation.test.ts', 'src/logs/log-file.test.ts'] },
  { file: 'src/deploy/plan.ts', tests: ['src/deploy/plan.test.ts'] },
  {
    file: 'src/config/importers/supervisord-values.ts',
    tests: ['src/config/importers/supervisord-values.test.ts', 'src/config/importers/supervisord.test.ts'],
  },
  { file: 'src/config/importers/pm2-restart.ts', tests: ['src/config/importers/pm2.test.ts'] },
];

export const CURATED = [
  {
    name: 'adoption ignores the recorded process start time',
    file: 'src/proc/liveness.ts',
    find: '(startTime === null || stat.startTime === startTime)',
    replace: 'true',
    tests: ['test/e2e/adoption.test.ts'],
  },
  {
    name: 'raw logs go through read + write instead of splice',
    file: 'src/logs/capture.ts',
    find: 'this.#lineMode ? null : getPipeDrain()',
    replace: 'null',
    tests: ['test/e2e/logs.test.ts'],
  },
  {
    name: 'the stop signal goes to the main process only',
    file: 'src/supervisor/process-group.ts',
    find: 'if (pgid !== null && !this.#system.kill(-pgid, signal) && leaderPid === pgid)',
    replace: 'if (pgid !== null && !this.#system.kill(pgid, signal) && leaderPid === pgid)',
    tests: ['test/e2e/lifecycle.test.ts'],
  },
  {
    name: 'readiness is ignored (startSecs for every program)',
    file: 'src/supervisor/transitions.ts',
    find: "ctx.readiness === 'startSecs'",
    replace: 'true',
    tests: ['test/e2e/readiness.test.ts'],
  },
  {
    name: 'no SIGHUP handler in the daemon',
    file: 'src/sdk/signals.ts',
    find: "  SIGHUP: 'reload',\n",
    replace: '',
    tests: ['test/e2e/daemon.test.ts'],
  },
  {
    name: 'no SIGINT handler in the daemon',
    file: 'src/sdk/signals.ts',
    find: "  SIGINT: 'stop',\n",
    replace: '',
    tests: ['test/e2e/daemon.test.ts'],
  },
  {
    name: 'a write to a closed stdout (EPIPE) throws in tend/daemon',
    file: 'src/sdk/logger.ts',
    find: "!== 'EAGAIN' || ++retries > EAGAIN_MAX_RETRIES) return;",
    replace: "!== 'EAGAIN' || ++retries > EAGAIN_MAX_RETRIES) throw error;",
    tests: ['test/e2e/sdk-signals.test.ts'],
  },
  {
    name: 'tend signal reaches the whole group',
    file: 'src/supervisor/main-process.ts',
    find: 'return pid !== null && this.#system.kill(pid, signal);',
    replace: 'return pid !== null && this.#system.kill(-pid, signal);',
    tests: ['test/e2e/lifecycle.test.ts'],
  },
  {
    name: 'no systemd-notify fallback in tend/daemon',
    file: 'src/sdk/notify.ts',
    find: 'if (systemdNotify) {',
    replace: 'if (false) {',
    tests: ['test/e2e/sdk-notify.test.ts'],
  },
];
