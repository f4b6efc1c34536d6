// A local headline feed, so the news daemon runs offline: `node feed.mjs` (PORT, default 8089;
// PORT=0 picks a free port). GET /headlines/TOPIC.json answers the latest headlines of a topic
// (world, tech, science, sport); a new one appears every FEED_PERIOD_MS (default 3000).
// Under tend (`ready: fd`) it writes a newline on $NOTIFY_FD once it listens.
import { closeSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';

const PORT = Number(process.env.PORT ?? 8089);
const HOST = process.env.HOST ?? '127.0.0.1';
const PERIOD_MS = Number(process.env.FEED_PERIOD_MS ?? 3000);
const HEADLINES_PER_PAGE = 5;
const TOPICS = ['world', 'tech', 'science', 'sport'];
const SUBJECTS = ['Ministers', 'Researchers', 'A startup', 'The council', 'Engineers', 'Fans', 'Pilots'];
const VERBS = ['announce', 'question', 'rebuild', 'celebrate', 'delay', 'discover', 'test'];
const OBJECTS = [
  'a new bridge',
  'the old rules',
  'a faster chip',
  'the harbour',
  'a rare comet',
  'the final',
];

// Headline n of a topic is the same whenever and wherever it is served: n counts periods since 1970.
function getHeadline(topic, n, baseUrl) {
  const pick = (words, salt) =>
    words[(Math.imul(n + salt * 31 + topic.length, 2654435761) >>> 7) % words.length];
  return {
    id: `${topic}-${n}`,
    title: `${pick(SUBJECTS, 1)} ${pick(VERBS, 3)} ${pick(OBJECTS, 5)}`,
    url: `${baseUrl}/${topic}/${n}`,
    publishedAt: new Date(n * PERIOD_MS).toISOString(),
  };
}

function getPage(topic, baseUrl) {
  const latest = Math.floor(Date.now() / PERIOD_MS);
  const headlines = [];
  for (let n = latest; n > latest - HEADLINES_PER_PAGE; n--) headlines.push(getHeadline(topic, n, baseUrl));
  return { topic, updatedAt: new Date().toISOString(), headlines };
}

const server = createServer((req, res) => {
  const match = /^\/headlines\/([a-z]+)\.json$/.exec(req.url ?? '');
  const topic = match?.[1];
  res.setHeader('content-type', 'application/json');
  if (req.method !== 'GET' || !topic || !TOPICS.includes(topic)) {
    res.statusCode = 404;
    res.end(JSON.stringify({ error: `try /headlines/{${TOPICS.join(',')}}.json` }));
    return;
  }
  const baseUrl = `http://${req.headers.host ?? `${HOST}:${PORT}`}`;
  res.end(JSON.stringify(getPage(topic, baseUrl)));
});

server.listen(PORT, HOST, () => {
  const { port } = server.address();
  console.log(`feed listening on http://${HOST}:${port}/headlines/world.json (pid ${process.pid})`);
  const notifyFd = Number(process.env.NOTIFY_FD);
  if (Number.isInteger(notifyFd)) {
    writeSync(notifyFd, '\n');
    closeSync(notifyFd);
  }
});

process.on('SIGTERM', () => {
  console.log('feed: SIGTERM, closing');
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
