// A queue worker written with tend/daemon: claims jobs from a directory queue (queue.mjs), counts
// the primes up to each job's n, writes a result, and waits for more when the queue is empty.
// Run several: `npx tend up` here (instances: max, one per CPU), or by hand `node worker.mjs`.
// SIGTERM lets the job in progress finish (the stop waits its turn in the event queue): no job is
// lost or done twice.
import { watch } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createDaemon } from 'tend/daemon';
import {
  claimNext,
  complete,
  createQueueDirs,
  dropClaim,
  getQueuePaths,
  hasResult,
  listClaims,
  readJob,
  setAside,
} from './queue.mjs';

const paths = getQueuePaths(process.env.QUEUE_DIR ?? fileURLToPath(new URL('queue', import.meta.url)));
// tend gives every instance its number; by hand, the pid tells workers apart.
const WORKER = `worker-${process.env.TEND_INSTANCE ?? process.pid}`;
const JOB_DELAY_MS = Number(process.env.JOB_DELAY_MS ?? 50); // pretend each job also waits on I/O
const POLL_INTERVAL = '2s'; // in case a file-system event is missed (fs.watch is best effort)

const daemon = createDaemon({ name: `queue-${WORKER}`, stopTimeoutMs: 20_000, dumpState: () => ({ done }) });
let done = 0;
let isWorkQueued = false;
let watcher = null;

// At most one 'work' event waits in the queue, however many wake-ups arrive.
function requestWork() {
  if (isWorkQueued) return;
  isWorkQueued = true;
  daemon.schedule('work');
}

function countPrimes(n) {
  const composite = new Uint8Array(n + 1);
  let count = 0;
  for (let i = 2; i <= n; i++) {
    if (composite[i]) continue;
    count += 1;
    for (let j = i * i; j <= n; j += i) composite[j] = 1;
  }
  return count;
}

async function processJob(job) {
  if (!Number.isInteger(job.n) || job.n < 0 || job.n > 10_000_000) throw new Error(`bad n: ${job.n}`);
  const primes = countPrimes(job.n);
  await sleep(JOB_DELAY_MS);
  return {
    id: job.id,
    n: job.n,
    primes,
    worker: WORKER,
    pid: process.pid,
    finishedAt: new Date().toISOString(),
  };
}

// The result, or null when the job cannot be done (a corrupt file, a bad n): then it is set aside.
async function tryProcess(claim) {
  try {
    return await processJob(await readJob(claim));
  } catch (error) {
    daemon.logger.error(`job ${claim.id} failed; moved to ${paths.failed}`, error);
    await setAside(paths, claim);
    return null;
  }
}

daemon.onStart(async () => {
  await createQueueDirs(paths);
  // A worker killed mid-job (SIGKILL, power loss) left its claim behind: finish or redo it first.
  for (const claim of await listClaims(paths, WORKER)) {
    if (await hasResult(paths, claim.id)) await dropClaim(claim);
    else {
      const result = await tryProcess(claim);
      if (result) await complete(paths, WORKER, claim, result);
    }
  }
  watcher = watch(paths.pending, requestWork);
  daemon.every(POLL_INTERVAL, 'poll');
  requestWork();
  daemon.logger.info(`${WORKER} takes jobs from ${paths.pending}`);
});

daemon.onStop(() => {
  watcher?.close();
  daemon.logger.info(`${WORKER} stopped after ${done} jobs`);
});

daemon.on('poll', requestWork);

// The 'work' pipeline: claim → process → complete. Nothing to claim ends the chain (idle).
daemon.on('work', async (_payload, _previous, ctx) => {
  isWorkQueued = false;
  const claim = await claimNext(paths, WORKER);
  if (!claim) {
    daemon.status(`${done} jobs done; queue empty, waiting`);
    ctx.stop();
  }
  return claim;
});

daemon.on('work', async (_payload, claim, ctx) => {
  const result = await tryProcess(claim);
  if (!result) {
    ctx.stop();
    requestWork();
  }
  return { claim, result };
});

daemon.on('work', async (_payload, { claim, result }) => {
  await complete(paths, WORKER, claim, result);
  done += 1;
  daemon.status(`${done} jobs done`);
  requestWork(); // the next job, after anything urgent (a stop) that arrived meanwhile
});

await daemon.run();
