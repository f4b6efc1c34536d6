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
  { file: 'src/supervisor/lost-spawns.ts', tests: ['src/supervisor/lost-spawns.test.ts'] },
  { file: 'src/logs/rotation.ts', tests: ['src/logs/rotation.test.ts', 'src/logs/log-file.test.ts'] },
  { file: 'src/deploy/plan.ts', tests: ['src/deploy/plan.test.ts'] },
  {
    file: 'src/config/importers/supervisord-values.ts',
    tests: ['src/config/importers/supervisord-values.test.ts', 'src/config/importers/supervisord.test.ts'],
  },
  { file: 'src/config/importers/pm2-restart.ts', tests: ['src/config/importers/pm2.test.ts'] },
];

export const CURATED = [];
