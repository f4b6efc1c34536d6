// Puts N jobs in the queue: `node enqueue.mjs 200` (QUEUE_DIR, default ./queue beside this file).
// Each job asks for the number of primes up to n.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createQueueDirs, enqueue, getQueuePaths } from './queue.mjs';

const count = Number(process.argv[2] ?? 100);
if (!Number.isInteger(count) || count < 1) {
  console.error('usage: node enqueue.mjs [COUNT]   (a whole number ≥ 1; default 100)');
  process.exit(2);
}
const paths = getQueuePaths(process.env.QUEUE_DIR ?? fileURLToPath(new URL('queue', import.meta.url)));
await createQueueDirs(paths);
const batch = randomUUID().slice(0, 8);
for (let index = 0; index < count; index++) {
  const id = `${batch}-${String(index).padStart(6, '0')}`;
  await enqueue(paths, { id, n: 10_000 + Math.floor(Math.random() * 90_000) });
}
console.log(`enqueued ${count} jobs (batch ${batch}) into ${paths.pending}`);
