// A news daemon written with tend/daemon: every few seconds it fetches headlines from a feed and
// appends the new ones to a file. Start the local feed first (`node feed.mjs`), then:
//   node news-daemon.mjs start | status | reload | stop     (detached, with a pid file)
//   node news-daemon.mjs run                                (in the foreground, e.g. under tend)
// Settings come from a JSON file (NEWS_CONFIG, default ./news.config.json beside this script),
// read again on SIGHUP (`reload`): { "feedUrl": "...", "every": "5s", "output": "headlines.txt" }.
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDaemon } from 'tend/daemon';

const FETCH_TIMEOUT_MS = 3000;
// Resolved here, at the top level: `start` re-executes this script in the original directory, and
// the detached daemon then moves to '/'.
const CONFIG_PATH = resolve(
  process.env.NEWS_CONFIG ?? fileURLToPath(new URL('news.config.json', import.meta.url)),
);
const LOG_PATH = resolve(process.env.NEWS_LOG ?? join(tmpdir(), 'news.log'));

const daemon = createDaemon({
  name: 'news',
  stopTimeoutMs: 10_000,
  autoReady: false, // ready once the first fetch succeeded, not merely once started
  pidFile: process.env.NEWS_PID_FILE || undefined,
  detach: { stdout: LOG_PATH },
  dumpState: () => ({ config, seen: seen.size, written }),
});

let config = null;
let timer = null;
let output = null;
let written = 0;
let isReady = false;
const seen = new Set();

// Reads and checks the whole file before anything changes: a bad edit leaves the old settings.
async function loadConfig() {
  const raw = JSON.parse(await readFile(CONFIG_PATH, 'utf8'));
  if (typeof raw.feedUrl !== 'string') throw new Error(`${CONFIG_PATH}: "feedUrl" must be a URL string`);
  if (typeof raw.output !== 'string') throw new Error(`${CONFIG_PATH}: "output" must be a path`);
  return {
    feedUrl: new URL(raw.feedUrl).href,
    every: raw.every ?? '5s',
    output: resolve(dirname(CONFIG_PATH), raw.output),
  };
}

// Lines already in the output file (from an earlier run) are not written again.
async function rememberWritten(path) {
  const text = await readFile(path, 'utf8').catch((error) =>
    error.code === 'ENOENT' ? '' : Promise.reject(error),
  );
  for (const match of text.matchAll(/<([^>\s]+)>$/gm)) seen.add(match[1]);
}

async function openOutput(path) {
  await rememberWritten(path);
  output = createWriteStream(path, { flags: 'a' });
  output.on('error', (error) => daemon.logger.error(`cannot write ${path}`, error));
}

function closeOutput() {
  const stream = output;
  output = null;
  return stream ? new Promise((done) => stream.end(done)) : Promise.resolve();
}

async function applyConfig(next) {
  if (next.every !== config?.every) {
    const previous = timer;
    timer = daemon.every(next.every, 'fetch'); // throws on a bad interval before anything changed
    previous?.cancel();
  }
  if (next.output !== config?.output) {
    await closeOutput();
    await openOutput(next.output);
  }
  config = next;
  daemon.logger.info(`fetching ${config.feedUrl} every ${config.every} into ${config.output}`);
}

daemon.onStart(async () => {
  await applyConfig(await loadConfig());
  daemon.schedule('fetch'); // at once, then on the timer
});

daemon.onReload(async () => {
  await applyConfig(await loadConfig());
  daemon.scheduleNext('fetch');
});

daemon.onStop(async ({ reason }) => {
  timer?.cancel();
  if (!output) return; // the start failed before the file was opened
  await closeOutput(); // flushes what is buffered before the process exits
  daemon.logger.info(`closed ${config.output} after ${written} headlines (${reason})`);
});

// The 'fetch' pipeline: fetch → keep only new headlines → append them. A step that calls
// ctx.stop() ends the chain: nothing to write when the feed is unreachable or has nothing new.
daemon.on('fetch', async (_payload, _previous, ctx) => {
  try {
    const response = await fetch(config.feedUrl, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { headlines } = await response.json();
    if (!isReady) {
      isReady = true;
      daemon.ready(); // ready once the first fetch succeeded
    }
    return Array.isArray(headlines) ? headlines : [];
  } catch (error) {
    daemon.logger.warn(`fetch ${config.feedUrl} failed: ${error.message}; next try in ${config.every}`);
    daemon.status(`feed unreachable; ${written} headlines`);
    ctx.stop();
  }
});

daemon.on('fetch', (_payload, headlines, ctx) => {
  const fresh = headlines.filter((headline) => headline.url && !seen.has(headline.url));
  if (fresh.length === 0) ctx.stop();
  return fresh;
});

daemon.on('fetch', (_payload, fresh) => {
  // Oldest first, so the file reads in publication order.
  for (const headline of fresh.reverse()) {
    seen.add(headline.url);
    output?.write(`${headline.publishedAt}  ${headline.title}  <${headline.url}>\n`);
    written += 1;
  }
  daemon.status(`${written} headlines`);
  daemon.logger.info(`${fresh.length} new headline${fresh.length === 1 ? '' : 's'}`);
});

await daemon.control(process.argv);
