#!/usr/bin/env node
// `npm run bench` — tend side by side with pm2, supervisord and s6 on the same workloads with the same
// child programs. See bench/README.md for what is measured and how; the figures' targets come from
// PRODUCT.md ("Performance"). Prints a table, writes bench/results/latest.json and latest.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareChildren } from './lib/children.mjs';
import { installExitHandlers, removeAllHomes, sweep, sweepOrphans } from './lib/cleanup.mjs';
import { MARKER_PREFIX } from './lib/proc.mjs';
import { log, median, nowMs, run, sleep, waitQuiet } from './lib/util.mjs';
import pm2 from './peers/pm2.mjs';
import s6 from './peers/s6.mjs';
import supervisord from './peers/supervisord.mjs';
import tend from './peers/tend.mjs';
import { measureIdle } from './workloads/idle.mjs';
import { measureLogs } from './workloads/logs.mjs';
import { measureMemory } from './workloads/memory.mjs';
import { measureRestart } from './workloads/restart.mjs';
import { measureStart } from './workloads/start.mjs';
import { measureStatus } from './workloads/status.mjs';
import { measureStop } from './workloads/stop.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const RESULTS = join(BENCH, 'results');
const ALL_PEERS = [tend, pm2, supervisord, s6];
/** Memory is read twice: in the tail of the start burst, and settled (the issue's two figures). */
const PSS_BURST_MS = 2000;
const PSS_SETTLED_MS = 15_000;
/** tend's backoff counts a run shorter than this as a quick exit (PRODUCT: restart at once after a stable run). */
const STABLE_RUN_MS = 11_000;

const HELP = `usage: npm run bench -- [options]

  --n N                 programs for the N-program workloads (default 100)
  --runs R              runs per peer; figures are medians over runs (default 3, 1 with --quick)
  --only LIST           peers to run, e.g. tend,pm2 (default tend,pm2,supervisord)
  --quick               idle CPU over 3 s instead of 10 s, 50 MB of logs instead of 200, one run
  --big                 also start, status and memory with --big-n programs (default 1000)
  --big-n N             programs for --big (default 1000)
  --cli-concurrency K   tend CLI processes in flight for "start N, tend: CLI" (default 4)
  --status-runs K       status command calls per run (default 20)
  --restart-samples K   SIGKILLs per run (default 10)
  --poll-ms MS          /proc poll interval for the restart figure (default 1)
  --log-mb MB           log volume (default 200; 50 with --quick)
  --idle-seconds S      idle CPU window (default 10; 3 with --quick)
  --idle-settle S       leave the supervisor alone this long before the idle CPU and memory
                        figures (default 12: V8 runs its memory-reducer GCs ~8 s after activity)
  --profile             run tend's daemon under node --cpu-prof (profiles in bench/results/profiles)
  --quiet-wait S        before each peer's run, wait up to S seconds for the machine's other CPU use
                        to drop below 15 % (default 120; 0: do not wait)
  --fallback-children   use \`sleep\` and loggen.mjs even when cc is available
  -h, --help`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string' },
      runs: { type: 'string' },
      only: { type: 'string' },
      quick: { type: 'boolean' },
      big: { type: 'boolean' },
      'big-n': { type: 'string' },
      'cli-concurrency': { type: 'string' },
      'status-runs': { type: 'string' },
      'restart-samples': { type: 'string' },
      'poll-ms': { type: 'string' },
      'log-mb': { type: 'string' },
      'idle-seconds': { type: 'string' },
      profile: { type: 'boolean' },
      'fallback-children': { type: 'boolean' },
      'quiet-wait': { type: 'string' },
      'idle-settle': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const int = (name, fallback, min = 1) => {
    if (values[name] === undefined) return fallback;
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min)
      throw new Error(`--${name} expects a number ≥ ${min}, got "${values[name]}"`);
    return value;
  };
  const quick = values.quick === true;
  const only = (values.only ?? ALL_PEERS.map((p) => p.name).join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of only) {
    if (!ALL_PEERS.some((peer) => peer.name === name))
      throw new Error(`--only: unknown peer "${name}" (tend, pm2, supervisord)`);
  }
  return {
    n: int('n', 100),
    runs: int('runs', quick ? 1 : 3),
    only,
    quick,
    big: values.big === true && !quick,
    bigN: int('big-n', 1000),
    cliConcurrency: int('cli-concurrency', 4),
    statusRuns: int('status-runs', 20),
    restartSamples: int('restart-samples', 10),
    pollMs: int('poll-ms', 1, 0),
    logBytes: int('log-mb', quick ? 50 : 200) * 1e6,
    idleSeconds: int('idle-seconds', quick ? 3 : 10),
    profile: values.profile === true,
    fallbackChildren: values['fallback-children'] === true,
    quietWait: int('quiet-wait', 120, 0),
    idleSettle: int('idle-settle', 12, 0),
  };
}

// ---------------------------------------------------------------------------------------------------
// Figures: how each is read from a run's raw results, how it is shown, and its target (PRODUCT.md).

const get = (path) => (r) => path.split('.').reduce((v, k) => (v == null ? undefined : v[k]), r);
function figures(options) {
  const n = options.n;
  const big = options.bigN;
  const logMB = options.logBytes / 1e6;
  const list = [
    {
      id: 'start',
      label: `start ${n} from one config file, CLI included, until all ${n} exist`,
      unit: 'ms',
      better: 'lower',
      target: 150,
      read: (_, r) => get('start.ms')(r),
    },
    {
      id: 'start_api',
      label: `start ${n} (tend: POST /v1/programs each, no CLI)`,
      unit: 'ms',
      better: 'lower',
      target: null,
      read: (_, r) => get('start_api.ms')(r),
    },
    {
      id: 'status',
      label: `status command with ${n} (median of ${options.statusRuns})`,
      unit: 'ms',
      better: 'lower',
      target: 60,
      read: (_, r) => get('status.ms')(r),
    },
    {
      id: 'restart',
      label: `restart after SIGKILL (median of ${options.restartSamples})`,
      unit: 'ms',
      better: 'lower',
      target: 1.5,
      read: (_, r) => get('restart.ms')(r),
    },
    {
      id: 'stop',
      label: `stop ${n} programs`,
      unit: 'ms',
      better: 'lower',
      target: 120,
      read: (_, r) => get('stop.ms')(r),
    },
    {
      id: 'idle_cpu',
      label: `idle CPU over ${options.idleSeconds} s with ${n}`,
      unit: '%',
      better: 'lower',
      target: 0,
      read: (_, r) => get('idle.percent')(r),
    },
    {
      id: 'pss_burst',
      label: `supervisor memory (PSS) with ${n}, ${PSS_BURST_MS / 1000} s after the start burst`,
      unit: 'MB',
      better: 'lower',
      target: 45,
      read: (_, r) => get('memory_burst.pssMB')(r),
    },
    {
      id: 'pss',
      label: `supervisor memory (PSS) with ${n}, settled (${PSS_SETTLED_MS / 1000} s after the start)`,
      unit: 'MB',
      better: 'lower',
      target: 30,
      read: (_, r) => get('memory.pssMB')(r),
    },
    {
      id: 'log_mbps',
      label: `log throughput (${logMB} MB of 100-byte lines)`,
      unit: 'MB/s',
      better: 'higher',
      target: 800,
      read: (_, r) => get('logs.mbPerSec')(r),
    },
    {
      id: 'log_cpu',
      label: `supervisor CPU per 200 MB of logs${logMB === 200 ? '' : ` (scaled from ${logMB} MB)`}`,
      unit: 's',
      better: 'lower',
      target: 0.1,
      read: (_, r) => get('logs.cpuPer200MB')(r),
    },
  ];
  if (options.big) {
    list.push(
      {
        id: 'big_start',
        label: `start ${big} from one config file, CLI included`,
        unit: 'ms',
        better: 'lower',
        target: null,
        read: (_, r) => get('big.start.ms')(r),
      },
      {
        id: 'big_status',
        label: `status command with ${big}`,
        unit: 'ms',
        better: 'lower',
        target: null,
        read: (_, r) => get('big.status.ms')(r),
      },
      {
        id: 'big_pss',
        label: `supervisor memory (PSS) with ${big}`,
        unit: 'MB',
        better: 'lower',
        target: null,
        read: (_, r) => get('big.memory.pssMB')(r),
      },
    );
  }
  return list;
}

function formatValue(value, unit) {
  if (value === null || value === undefined) return '—';
  switch (unit) {
    case 'ms':
      return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
    case '%':
      return `${value.toFixed(2)} %`;
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 'MB/s':
      return `${Math.round(value)} MB/s`;
    case 's':
      return `${value.toFixed(2)} s`;
    default:
      return String(value);
  }
}

function formatTarget(figure, tendValue) {
  if (figure.target === null) return '—';
  const op = figure.better === 'lower' ? '≤' : '≥';
  const text = `${op} ${Number.isInteger(figure.target) && figure.unit !== '%' ? `${figure.target} ${figure.unit}` : formatValue(figure.target, figure.unit)}`;
  if (tendValue === null || tendValue === undefined) return text;
  return `${text} ${isMet(figure, tendValue) ? '✓' : '✗ missed'}`;
}

function isMet(figure, value) {
  if (figure.target === null || value === null || value === undefined) return null;
  if (figure.unit === '%') return value < 0.005; // shows as 0.00 %
  return figure.better === 'lower' ? value <= figure.target : value >= figure.target;
}

function ratio(a, b) {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return '—';
  return `${(a / b).toFixed(2)}×`;
}

// ---------------------------------------------------------------------------------------------------

function sleepUntil(at) {
  const wait = at - Date.now();
  return wait > 0 ? sleep(wait) : Promise.resolve();
}

async function attempt(label, results, key, fn) {
  try {
    results[key] = await fn();
    return true;
  } catch (error) {
    results[key] = { error: error.message };
    log(`    ${label}: FAILED — ${error.message}`);
    return false;
  }
}

function makeRunner(options, children) {
  const ctxFor = (label) => ({
    log,
    label,
    cliConcurrency: options.cliConcurrency,
    profileDir: options.profile ? join(RESULTS, 'profiles') : null,
  });

  async function withInstance(peer, programs, label, fn) {
    const instance = await peer.create(ctxFor(label), { programs });
    try {
      return await fn(instance);
    } finally {
      try {
        await instance.teardown();
      } catch (error) {
        log(`    ${peer.name}: teardown failed — ${error.message}`);
      }
      const killed = sweep();
      if (killed > 0) log(`    ${peer.name}: ${killed} process(es) outlived the teardown; killed`);
    }
  }

  const sleepers = (marker, n) =>
    Array.from({ length: n }, (_, i) => ({ name: `p${i}`, ...children.sleeper(marker, i), noRotate: false }));

  return async function runPeer(peer, runIndex) {
    const r = { loadavg: os.loadavg() };
    const tag = (suffix) => `${MARKER_PREFIX}${process.pid}-${peer.name}${runIndex}${suffix}`;
    const n = options.n;
    const primary = peer.startMethods[0];
    const common = { useEnviron: children.useEnviron };
    const show = (what, text) => log(`    ${peer.name}: ${what} ${text}`);

    // Every other way the peer offers (tend: the API), each on an instance of its own.
    for (const method of peer.startMethods.slice(1)) {
      const marker = tag(method[0]);
      await withInstance(peer, sleepers(marker, n), `start-${method}`, async (instance) => {
        if (
          await attempt(`start (${method})`, r, `start_${method}`, () =>
            measureStart(instance, method, { n, marker, ...common }),
          )
        ) {
          show(`start ${n} (${instance.describeStart(method)}):`, `${r[`start_${method}`].ms.toFixed(0)} ms`);
        }
      });
    }

    {
      const marker = tag('m');
      await withInstance(peer, sleepers(marker, n), 'main', async (instance) => {
        r.startMethod = instance.describeStart(primary);
        if (
          !(await attempt('start', r, 'start', () =>
            measureStart(instance, primary, { n, marker, ...common }),
          ))
        )
          return;
        show(
          `start ${n} (${r.startMethod}):`,
          `${r.start.ms.toFixed(0)} ms (command returned after ${r.start.commandMs?.toFixed(0)} ms)`,
        );
        await sleepUntil(r.start.runningAt + PSS_BURST_MS);
        if (await attempt('memory (burst)', r, 'memory_burst', async () => measureMemory(instance))) {
          show(`PSS ${PSS_BURST_MS / 1000} s after the start:`, `${r.memory_burst.pssMB.toFixed(1)} MB`);
        }
        if (
          await attempt('status', r, 'status', () => measureStatus(instance, { n, runs: options.statusRuns }))
        ) {
          show('status:', `${r.status.ms.toFixed(1)} ms median`);
        }
        // Idle means left alone: a Node supervisor's V8 runs a few "memory reducer" full GCs about 8 s
        // after a burst of work (tend: ~40-60 ms of CPU after 100 creates), which is not idle load.
        await sleepUntil(r.start.runningAt + Math.max(PSS_SETTLED_MS, options.idleSettle * 1000));
        if (await attempt('memory', r, 'memory', async () => measureMemory(instance))) {
          show('PSS settled:', `${r.memory.pssMB.toFixed(1)} MB`);
        }
        if (await attempt('idle', r, 'idle', () => measureIdle(instance, { seconds: options.idleSeconds }))) {
          show(
            'idle CPU:',
            `${r.idle.percent.toFixed(3)} % (scheduler: ${r.idle.schedPercent.toFixed(3)} %)`,
          );
        }
        const wait = r.start.runningAt + STABLE_RUN_MS - Date.now();
        if (wait > 0) await sleep(wait);
        if (
          await attempt('restart', r, 'restart', () =>
            measureRestart(instance, {
              marker,
              ...common,
              samples: Math.min(options.restartSamples, n),
              pollMs: options.pollMs,
            }),
          )
        ) {
          show(
            'restart:',
            `${r.restart.ms.toFixed(1)} ms median (${r.restart.samples.map((v) => v.toFixed(1)).join(', ')})`,
          );
        }
        await sleep(500);
        if (await attempt('stop', r, 'stop', () => measureStop(instance, { n, marker, ...common }))) {
          show(`stop ${n}:`, `${r.stop.ms.toFixed(0)} ms`);
        }
      });
    }

    {
      const marker = tag('l');
      const program = { name: 'loggen', ...children.loggen(marker, options.logBytes), noRotate: true };
      await withInstance(peer, [program], 'logs', async (instance) => {
        if (
          await attempt('logs', r, 'logs', () =>
            measureLogs(instance, peer.logStartMethod ?? primary, {
              bytes: options.logBytes,
              marker,
              name: 'loggen',
              ...common,
            }),
          )
        ) {
          show(
            'logs:',
            `${r.logs.mbPerSec.toFixed(0)} MB/s, ${r.logs.cpuSeconds.toFixed(2)} CPU-s for ${options.logBytes / 1e6} MB`,
          );
        }
      });
    }

    if (options.big) {
      const bigN = options.bigN;
      r.big = {};
      const marker = tag('M');
      await withInstance(peer, sleepers(marker, bigN), 'big', async (instance) => {
        if (
          !(await attempt('start big', r.big, 'start', () =>
            measureStart(instance, primary, { n: bigN, marker, ...common }),
          ))
        )
          return;
        show(`start ${bigN}:`, `${r.big.start.ms.toFixed(0)} ms`);
        if (
          await attempt('status big', r.big, 'status', () =>
            measureStatus(instance, { n: bigN, runs: Math.min(options.statusRuns, 10) }),
          )
        ) {
          show(`status with ${bigN}:`, `${r.big.status.ms.toFixed(1)} ms`);
        }
        await sleep(options.idleSettle * 1000);
        if (await attempt('memory big', r.big, 'memory', async () => measureMemory(instance))) {
          show(`PSS with ${bigN}:`, `${r.big.memory.pssMB.toFixed(1)} MB`);
        }
      });
    }
    return r;
  };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
  };
}

function buildTable(figureList, peers, medians) {
  const header = [
    'figure',
    ...peers.map((p) => p.name),
    'tend/pm2',
    'tend/supervisord',
    'tend/s6',
    'target (tend)',
  ];
  const rows = figureList.map((figure) => {
    const values = medians[figure.id];
    return [
      figure.label,
      ...peers.map((p) => (p.skipped ? 'skipped' : formatValue(values[p.name], figure.unit))),
      ratio(values.tend, values.pm2),
      ratio(values.tend, values.supervisord),
      ratio(values.tend, values.s6),
      formatTarget(figure, values.tend),
    ];
  });
  return { header, rows };
}

function printTable({ header, rows }) {
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((row) => [...row[i]].length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable({ header, rows }) {
  const esc = (c) => c.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(esc).join(' | ')} |`),
  ].join('\n');
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  installExitHandlers();
  const orphans = sweepOrphans();
  if (orphans.killed > 0 || orphans.removed > 0) {
    log(
      `bench: cleaned up after an earlier bench: ${orphans.killed} process(es) killed, ${orphans.removed} temp dir(s) removed`,
    );
  }
  const children = prepareChildren({ forceFallback: options.fallbackChildren });
  log(`bench: children: ${children.note}`);

  const peers = [];
  for (const peer of ALL_PEERS.filter((p) => options.only.includes(p.name))) {
    const prepared = await peer.prepare({ log });
    if (prepared.ok) {
      log(`bench: ${peer.name} ${prepared.version}${prepared.note ? ` — NOTE: ${prepared.note}` : ''}`);
      peers.push({ peer, name: peer.name, version: prepared.version, note: prepared.note, runs: [] });
    } else {
      log(`bench: SKIPPING ${peer.name}: ${prepared.reason}`);
      peers.push({ peer, name: peer.name, skipped: true, reason: prepared.reason, runs: [] });
    }
  }
  const active = peers.filter((p) => !p.skipped);
  if (active.length === 0) throw new Error('no peer could be prepared');

  // Context for the CLI figures: what starting Node itself costs on this machine.
  const nodeStartup = [];
  for (let i = 0; i < 10; i++) nodeStartup.push((await run(process.execPath, ['-e', '0'])).ms);
  const nodeStartupMs = median(nodeStartup);
  log(`bench: \`node -e 0\` takes ${nodeStartupMs.toFixed(0)} ms here (median of 10)`);

  const runPeer = makeRunner(options, children);
  const started = nowMs();
  for (let run = 1; run <= options.runs; run++) {
    for (const entry of active) {
      const busy = options.quietWait > 0 ? await waitQuiet({ maxSeconds: options.quietWait }) : null;
      log(
        `[run ${run}/${options.runs}] ${entry.name} (load average ${os
          .loadavg()
          .map((v) => v.toFixed(2))
          .join(' ')}${busy === null ? '' : `, machine ${Math.round(busy * 100)} % busy before`})`,
      );
      const result = await runPeer(entry.peer, run);
      result.busyBefore = busy;
      entry.runs.push(result);
      if (!entry.startMethod && result.startMethod) entry.startMethod = result.startMethod;
    }
  }
  log(`bench: done in ${((nowMs() - started) / 1000).toFixed(0)} s`);

  const figureList = figures(options);
  const medians = {};
  for (const figure of figureList) {
    medians[figure.id] = {};
    for (const entry of peers) {
      medians[figure.id][entry.name] = entry.skipped
        ? null
        : median(entry.runs.map((r) => figure.read(entry.name, r)));
    }
  }
  // every peer column, including a skipped one, so the table always has the same shape
  const columns = ALL_PEERS.map(
    (p) =>
      peers.find((e) => e.name === p.name) ?? {
        name: p.name,
        skipped: true,
        reason: 'not selected (--only)',
      },
  );
  for (const figure of figureList)
    for (const c of columns) if (!(c.name in medians[figure.id])) medians[figure.id][c.name] = null;
  const table = buildTable(figureList, columns, medians);
  const info = machine();

  console.log(`\n${printTable(table)}\n`);
  console.log(
    `${info.cpu}, ${info.cores} cores, ${info.memoryGB} GB, Node ${info.node}, ${info.kernel}, ${info.date}`,
  );
  console.log(
    `medians of ${options.runs} run(s); ratios are tend's figure divided by the peer's; \`node -e 0\` takes ${nodeStartupMs.toFixed(0)} ms here`,
  );
  for (const c of columns) if (c.skipped) console.log(`${c.name}: skipped — ${c.reason}`);
  // Printed again under the table: a note can change what a figure means (tend without its native helper).
  for (const c of columns) if (!c.skipped && c.note) console.log(`${c.name}: NOTE — ${c.note}`);

  const startMethods = columns
    .filter((c) => !c.skipped)
    .map(
      (c) =>
        `- ${c.name} ${c.version}: ${c.startMethod ?? ''}${c.name === 'tend' ? '; API row: POST /v1/programs per program, all in flight' : ''}`,
    );
  const md = [
    '# tend benchmark — latest results',
    '',
    `Machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGB} GB RAM, ${info.kernel}; Node ${info.node}; ${info.date}.`,
    `Medians of ${options.runs} run(s), ${options.n} programs${options.quick ? ' (--quick)' : ''}. Ratios are tend's figure divided by the peer's (below 1 is better for tend, except MB/s). Targets from PRODUCT.md. For scale: \`node -e 0\` takes ${nodeStartupMs.toFixed(0)} ms on this machine, a floor under every Node CLI call (tend's and pm2's).`,
    '',
    markdownTable(table),
    '',
    'How each peer started its programs (the fastest honest way each offers):',
    ...startMethods,
    ...columns.filter((c) => c.skipped).map((c) => `- ${c.name}: skipped — ${c.reason}`),
    ...columns.filter((c) => !c.skipped && c.note).map((c) => `- ${c.name}: NOTE — ${c.note}`),
    '',
    `Child programs: ${children.kind === 'c' ? 'bench/children/sleeper.c and loggen.c, compiled with cc -O2' : children.note}. Methods: bench/README.md. Produced by \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`.`,
    '',
  ].join('\n');

  mkdirSync(RESULTS, { recursive: true });
  const json = {
    machine: { ...info, nodeStartupMs },
    options,
    children: { kind: children.kind, note: children.note },
    peers: Object.fromEntries(
      columns.map((c) => [
        c.name,
        c.skipped
          ? { skipped: true, reason: c.reason }
          : { version: c.version, note: c.note, startMethod: c.startMethod },
      ]),
    ),
    figures: figureList.map((figure) => ({
      id: figure.id,
      label: figure.label,
      unit: figure.unit,
      better: figure.better,
      target: figure.target,
      values: medians[figure.id],
      tendMeetsTarget: isMet(figure, medians[figure.id].tend),
    })),
    runs: Object.fromEntries(peers.map((p) => [p.name, p.runs])),
  };
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'latest.md'), md);
  console.log(`\nwrote ${join(RESULTS, 'latest.json')} and ${join(RESULTS, 'latest.md')}`);

  const leftover = sweep();
  if (leftover > 0) log(`bench: ${leftover} leftover process(es) killed at the end`);
  removeAllHomes();
}

main().catch((error) => {
  log(`bench: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
