import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { createSandbox, type Sandbox, startProcess, waitForExit } from '../fixtures/sdk/helpers.js';
import {
  assertStays,
  createTendHome,
  getEvents,
  getProgram,
  isAlive,
  type ProgramRow,
  ROOT,
  readLog,
  type TendHome,
  waitFor,
  waitForProgram,
} from './helpers.js';

// The runnable examples: examples/news-daemon (tend/daemon: event queue, reload, readiness, graceful
// stop; under tend and standalone) and examples/queue-worker (instances draining a directory queue).
// They run in place (so `import 'tend/daemon'` resolves to this package) with every file they write
// in a temporary directory.

const NEWS_DIR = join(ROOT, 'examples', 'news-daemon');
const NEWS_YAML = join(NEWS_DIR, 'tend.yaml');
const NEWS_DAEMON = join(NEWS_DIR, 'news-daemon.mjs');
const FEED = join(NEWS_DIR, 'feed.mjs');
const QUEUE_YAML = join(ROOT, 'examples', 'queue-worker', 'tend.yaml');
const ENQUEUE = join(ROOT, 'examples', 'queue-worker', 'enqueue.mjs');
// A headline line: "<publishedAt>  <title>  <url>".
const HEADLINE_LINE = /^\d{4}-\d\d-\d\dT\S+Z {2}\S.* {2}<(http:\/\/127\.0\.0\.1:\d+\/([a-z]+)\/\d+)>$/;

async function createTempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

/** The topics of the headlines in a file; fails on any line that is not a whole headline. */
function readTopics(path: string): string[] {
  return readLines(path).map((line) => {
    const match = HEADLINE_LINE.exec(line);
    assert.ok(match, `${path}: not a headline line: ${JSON.stringify(line)}`);
    return match[2] as string;
  });
}

async function writeNewsConfig(path: string, settings: { port: number; topic: string; output: string }) {
  const feedUrl = `http://127.0.0.1:${settings.port}/headlines/${settings.topic}.json`;
  await writeFile(path, JSON.stringify({ feedUrl, every: '300ms', output: settings.output }));
}

function getRunningTime(events: Awaited<ReturnType<typeof getEvents>>): number {
  const running = events.find((event) => event.to === 'running');
  assert.ok(running, 'a running event');
  return running.time;
}

test('news-daemon under tend: ready after its first fetch from the feed, writes headlines, reloads on SIGHUP, stops gracefully', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const dir = await createTempDir(t, 'tend-test-news-');
  const configPath = join(dir, 'news.config.json');
  const pidFile = join(dir, 'news.pid');
  // Port 0: the feed takes a free port and logs it. The same environment for every `tend up`, so
  // the second one sees the feed unchanged.
  const env = {
    NEWS_FEED_PORT: '0',
    NEWS_FEED_PERIOD_MS: '200',
    NEWS_CONFIG: configPath,
    NEWS_PID_FILE: pidFile,
  };

  const feedUp = await h.tend(['up', '-f', NEWS_YAML, 'feed'], { env });
  assert.equal(feedUp.code, 0, feedUp.stderr);
  const feed = await waitForProgram(h, 'feed', (row) => row.state === 'running', 10_000, 'running');
  const port = Number(
    await waitFor(
      async () =>
        /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(await readLog(h.home, 'feed', 'out'))?.[1],
      5000,
      'the port in the feed log',
    ),
  );
  await writeNewsConfig(configPath, { port, topic: 'world', output: 'world.txt' });

  const up = await h.tend(['up', '-f', NEWS_YAML], { env });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /feed\s+unchanged/);
  assert.match(up.stdout, /news\s+created/);
  const news = await waitForProgram(h, 'news', (row) => row.state === 'running', 15_000, 'running (ready)');
  assert.equal((await getProgram(h, 'feed')).pid, feed.pid, 'the feed kept running');
  const newsEvents = await getEvents(h, 'news');
  const newsStarted = newsEvents.find((event) => event.to === 'starting');
  assert.ok(newsStarted, 'news went through starting');
  assert.ok(newsStarted.time >= getRunningTime(await getEvents(h, 'feed')), 'news started after the feed');
  assert.ok(getRunningTime(newsEvents) >= newsStarted.time);

  const world = join(dir, 'world.txt');
  await waitFor(() => readLines(world).length >= 7, 10_000, 'headlines beyond the first page in world.txt');
  const worldTopics = readTopics(world);
  assert.ok(
    worldTopics.every((topic) => topic === 'world'),
    `only world headlines: ${worldTopics.join(',')}`,
  );
  const urls = readLines(world).map((line) => HEADLINE_LINE.exec(line)?.[1]);
  assert.equal(new Set(urls).size, urls.length, 'no headline written twice');
  assert.ok(
    urls.every((url) => url?.startsWith(`http://127.0.0.1:${port}/`)),
    'from the local feed',
  );
  const status = await waitFor(
    async () => (await h.tendJson<(ProgramRow & { status: string | null })[]>(['ls', 'news']))[0]?.status,
    5000,
    'a status',
  );
  assert.match(status, /^\d+ headlines$/);
  assert.equal(readFileSync(pidFile, 'utf8').trim(), String(news.pid), 'run took the pid file');

  // Reload: another topic into another file; the old file is closed and stops growing.
  await writeNewsConfig(configPath, { port, topic: 'tech', output: 'tech.txt' });
  const hup = await h.tend(['signal', 'HUP', 'news']);
  assert.equal(hup.code, 0, hup.stderr);
  const tech = join(dir, 'tech.txt');
  await waitFor(() => readLines(tech).length >= 6, 10_000, 'headlines in tech.txt after the reload');
  assert.ok(readTopics(tech).every((topic) => topic === 'tech'));
  const worldSize = statSync(world).size;
  await assertStays(() => statSync(world).size === worldSize, 1000, 'world.txt unchanged after the reload');
  const afterReload = await getProgram(h, 'news');
  assert.equal(afterReload.pid, news.pid, 'reloaded in place, not restarted');
  assert.equal(afterReload.restarts, 0);

  const stop = await h.tend(['stop', 'news']);
  assert.equal(stop.code, 0, stop.stderr);
  const stopped = await getProgram(h, 'news');
  assert.equal(stopped.state, 'stopped');
  assert.deepEqual([stopped.exitCode, stopped.signal], [0, null], 'exited 0 by itself: a graceful stop');
  assert.equal(isAlive(news.pid as number), false);
  assert.equal(existsSync(pidFile), false, 'the pid file is removed');
  const log = await readLog(h.home, 'news', 'err');
  assert.match(log, /closed \S+\/tech\.txt after \d+ headlines \(signal\)/);
  assert.match(log, /stopped \(exit code 0\)/);
  assert.ok(readFileSync(tech, 'utf8').endsWith('\n'), 'the last line was flushed whole');
  readTopics(tech);
});

interface NewsSandbox extends Sandbox {
  pidFile: string;
  log: string;
  output: string;
  news(args: string[]): Promise<{ code: number | null; output: string }>;
}

async function createNewsSandbox(t: TestContext): Promise<NewsSandbox> {
  const sandbox = await createSandbox(t); // TEND_HOME in the environment: the leak check sees strays
  const feed = startProcess(sandbox, process.execPath, [FEED], {
    env: { PORT: '0', FEED_PERIOD_MS: '200' },
  });
  const port = Number(
    await waitFor(() => /127\.0\.0\.1:(\d+)\//.exec(feed.output())?.[1], 5000, 'the feed to listen'),
  );
  const config = join(sandbox.dir, 'news.config.json');
  const output = join(sandbox.dir, 'headlines.txt');
  await writeNewsConfig(config, { port, topic: 'science', output });
  const pidFile = join(sandbox.dir, 'news.pid');
  const log = join(sandbox.dir, 'news.log');
  const env = { NEWS_CONFIG: config, NEWS_PID_FILE: pidFile, NEWS_LOG: log };
  const news = async (args: string[]) => {
    const run = startProcess(sandbox, process.execPath, [NEWS_DAEMON, ...args], { env });
    const { code } = await waitForExit(run, 30_000);
    return { code, output: run.output() };
  };
  // The detached daemon is nobody's child: stop it through its pid file (the sandbox then kills
  // whatever it tracked that is still alive).
  t.after(async () => {
    if (existsSync(pidFile)) await news(['stop']);
  });
  return { ...sandbox, pidFile, log, output, news };
}

test('news-daemon standalone: start detaches with a pid file, status and reload answer, stop removes it (LSB codes)', async (t) => {
  const sandbox = await createNewsSandbox(t);

  const start = await sandbox.news(['start']);
  assert.equal(start.code, 0, start.output);
  const pid = Number(readFileSync(sandbox.pidFile, 'utf8').trim());
  sandbox.track(pid);
  assert.match(start.output, new RegExp(`started in the background \\(pid ${pid}, pid file `));
  assert.ok(isAlive(pid), 'the daemon runs after start returned');
  await waitFor(() => readLines(sandbox.output).length >= 5, 10_000, 'headlines in the file');
  assert.ok(readTopics(sandbox.output).every((topic) => topic === 'science'));

  assert.deepEqual(await sandbox.news(['status']), { code: 0, output: `news is running (pid ${pid})\n` });
  const reload = await sandbox.news(['reload']);
  assert.equal(reload.code, 0, reload.output);
  await waitFor(() => readFileSync(sandbox.log, 'utf8').includes('reloaded'), 5000, 'the reload in the log');

  const stop = await sandbox.news(['stop']);
  assert.deepEqual(stop, { code: 0, output: `news stopped (pid ${pid})\n` });
  assert.equal(isAlive(pid), false, 'the daemon is gone');
  assert.equal(existsSync(sandbox.pidFile), false, 'the pid file is removed');
  assert.match(readFileSync(sandbox.log, 'utf8'), /closed \S+ after \d+ headlines \(signal\)/);
  assert.deepEqual(await sandbox.news(['status']), { code: 3, output: 'news is not running\n' });
});

function countPrimes(n: number): number {
  const composite = new Uint8Array(n + 1);
  let count = 0;
  for (let i = 2; i <= n; i++) {
    if (composite[i]) continue;
    count += 1;
    for (let j = i * i; j <= n; j += i) composite[j] = 1;
  }
  return count;
}

async function listWorkers(h: TendHome): Promise<ProgramRow[]> {
  const rows = await h.tendJson<ProgramRow[]>(['ls']);
  return rows.filter((row) => /^worker(-\d+)?$/.test(row.name));
}

const listFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);
const listClaimed = (queue: string): string[] =>
  listFiles(join(queue, 'claimed')).flatMap((worker) => listFiles(join(queue, 'claimed', worker)));
const readJournal = (queue: string): string[] =>
  listFiles(join(queue, 'journal')).flatMap((file) => readLines(join(queue, 'journal', file)));

test('queue-worker: instances drain 200 jobs, a stop lets each finish its job, every job is processed exactly once', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const queue = await createTempDir(t, 'tend-test-queue-');
  // Slow enough jobs that the drain is still going when `stop all` lands, even on a loaded machine.
  const env = { QUEUE_DIR: queue, JOB_DELAY_MS: '250' };
  const JOBS = 200;
  const WORKERS = Math.max(4, availableParallelism());

  const up = await h.tend(['up', '-f', QUEUE_YAML], { env });
  assert.equal(up.code, 0, up.stderr);
  assert.equal((await listWorkers(h)).length, availableParallelism(), 'instances: max is one per CPU');
  const scale = await h.tend(['scale', 'worker', String(WORKERS)]);
  assert.equal(scale.code, 0, scale.stderr);
  await waitFor(
    async () => {
      const workers = await listWorkers(h);
      return workers.length === WORKERS && workers.every((row) => row.state === 'running');
    },
    15_000,
    `${WORKERS} workers ready`,
  );

  // The workers are idle and waiting: the jobs arrive while all of them race to claim.
  const sandbox = await createSandbox(t);
  const enqueue = startProcess(sandbox, process.execPath, [ENQUEUE, String(JOBS)], { env });
  assert.equal((await waitForExit(enqueue, 30_000)).code, 0, enqueue.output());
  const batch = /batch ([0-9a-f]+)/.exec(enqueue.output())?.[1];
  assert.ok(batch, enqueue.output());
  const ids = Array.from({ length: JOBS }, (_, index) => `${batch}-${String(index).padStart(6, '0')}`);
  const results = join(queue, 'results');
  const pending = join(queue, 'pending');
  // A job that cannot be processed is set aside in failed/; the workers carry on.
  await writeFile(join(queue, 'incoming', 'bad.json'), 'not json');
  await rename(join(queue, 'incoming', 'bad.json'), join(pending, 'bad.json'));
  const listBatch = (dir: string) => listFiles(dir).filter((name) => name.startsWith(batch));

  // Stop everything mid-drain: each worker finishes the job it holds and exits 0.
  await waitFor(() => listFiles(results).length >= 30, 20_000, 'some results');
  const stop = await h.tend(['stop', 'all']);
  assert.equal(stop.code, 0, stop.stderr);
  for (const row of await listWorkers(h)) {
    assert.equal(row.state, 'stopped', row.name);
    assert.deepEqual([row.exitCode, row.signal], [0, null], `${row.name} stopped gracefully`);
  }
  // A claim can stay behind with every worker exiting 0 only if a 'work' handler threw (the event
  // queue logs `event "work" failed` and the worker carries on): show the workers' logs if so.
  const claimed = listClaimed(queue);
  if (claimed.length > 0) {
    const logs = await h.tend(['logs', 'all', '-n', '200']);
    assert.fail(
      `jobs left half done in a claimed folder: ${claimed.join(', ')}\n${logs.stdout}${logs.stderr}`,
    );
  }
  const doneAtStop = listFiles(results).length;
  assert.ok(listBatch(pending).length > 0, `stopped mid-drain (${doneAtStop} of ${JOBS} done)`);
  assert.equal(doneAtStop + listBatch(pending).length, JOBS, 'every job is either done or still pending');
  assert.equal(readJournal(queue).length, doneAtStop, 'each finished job was finished once');

  const start = await h.tend(['start', 'all']);
  assert.equal(start.code, 0, start.stderr);
  await waitFor(() => listFiles(results).length === JOBS, 30_000, 'all results');
  await waitFor(() => readJournal(queue).length === JOBS, 5000, 'all journal lines');
  await waitFor(() => listFiles(pending).length === 0, 5000, 'the bad job to leave pending/');
  assert.deepEqual(listClaimed(queue), []);
  assert.deepEqual(listFiles(join(queue, 'failed')), ['bad.json'], 'the bad job was set aside');

  const journal = readJournal(queue);
  assert.deepEqual([...journal].sort(), ids, 'every job processed exactly once (none missing, none twice)');
  assert.deepEqual(
    listFiles(results).sort(),
    ids.map((id) => `${id}.json`),
  );
  const workersUsed = new Set<string>();
  for (const id of ids) {
    const result = JSON.parse(readFileSync(join(results, `${id}.json`), 'utf8'));
    assert.equal(result.id, id);
    assert.equal(result.primes, countPrimes(result.n), `${id}: the primes up to ${result.n}`);
    workersUsed.add(result.worker);
  }
  assert.ok(workersUsed.size >= 2, `the work was shared: ${[...workersUsed].join(', ')}`);
  for (const row of await listWorkers(h)) {
    assert.equal(row.restarts, 0, `${row.name} never crashed`);
    const instance = row.name === 'worker' ? '0' : row.name.slice('worker-'.length);
    assert.match(await readLog(h.home, row.name, 'err'), new RegExp(`worker-${instance} takes jobs`));
  }

  const down = await h.tend(['down', '-f', QUEUE_YAML]);
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual(await listWorkers(h), []);
});
