import { parseArgs } from 'node:util';
import { createSoakHome } from './home.js';
import { getSoakOptions } from './options.js';
import { formatSummary } from './report.js';
import { runSoak } from './soak.js';

// `npm run soak -- --minutes M [--keep]`: a fresh daemon in a fresh TEND_HOME, M minutes of chaos
// (three phases of M/3, see soak/README.md), a summary, and exit status 1 if anything was lost,
// duplicated, ran twice or grew beyond its bound. Every process is cleaned up, whatever happens.

const DEFAULT_MINUTES = 2;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: String(DEFAULT_MINUTES) },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: npm run soak -- [--minutes M] [--keep]   (M may be fractional; --keep keeps TEND_HOME)',
  );
  process.exit(0);
}
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`soak: --minutes must be a positive number, got "${values.minutes}"`);
  process.exit(2);
}

const startedAt = Date.now();
const log = (message: string) => {
  console.log(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${message}`);
};
const h = await createSoakHome();
log(`soak for ${minutes} min in ${h.home}`);

let cleaning: Promise<string[]> | null = null;
const cleanUp = () => {
  cleaning ??= h.stopEverything();
  return cleaning;
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

let passed = false;
try {
  const report = await runSoak(h, getSoakOptions(minutes, log));
  const survivors = await cleanUp();
  if (survivors.length > 0) {
    report.failures.push(
      `had to SIGKILL processes still alive after tend daemon stop: ${survivors.join(', ')}`,
    );
  }
  console.log(formatSummary(report));
  passed = report.failures.length === 0;
} finally {
  await cleanUp();
  if (passed && !values.keep) await h.remove();
  else log(`kept ${h.home} for inspection (daemon.log, logs/, tend.db)`);
}
process.exit(passed ? 0 : 1);
