// A job queue in a directory, safe for many workers with no server and no lock: rename(2) is atomic,
// so of several workers renaming the same pending file exactly one succeeds.
//
//   QUEUE_DIR/incoming/         files being written (never read by workers)
//   QUEUE_DIR/pending/ID.json   jobs waiting; a job appears here whole, by rename from incoming/
//   QUEUE_DIR/claimed/WORKER/   the job a worker is processing (moved there by rename = claimed)
//   QUEUE_DIR/results/ID.json   one result per job, also written whole by rename
//   QUEUE_DIR/journal/WORKER.log  one line per job the worker finished: ID
//   QUEUE_DIR/failed/ID.json    jobs that could not be processed (set aside, not retried)
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

export function getQueuePaths(dir) {
  const root = resolve(dir);
  return {
    root,
    incoming: join(root, 'incoming'),
    pending: join(root, 'pending'),
    claimed: join(root, 'claimed'),
    results: join(root, 'results'),
    journal: join(root, 'journal'),
    failed: join(root, 'failed'),
  };
}

export async function createQueueDirs(paths) {
  for (const dir of [
    paths.incoming,
    paths.pending,
    paths.claimed,
    paths.results,
    paths.journal,
    paths.failed,
  ]) {
    await mkdir(dir, { recursive: true });
  }
}

// Written in incoming/ and renamed into place, so a reader never sees half a file.
async function writeWhole(paths, target, data) {
  const temporary = join(
    paths.incoming,
    `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );
  await writeFile(temporary, `${JSON.stringify(data)}\n`);
  await rename(temporary, target);
}

export function enqueue(paths, job) {
  return writeWhole(paths, join(paths.pending, `${job.id}.json`), job);
}

/** Moves one pending job into the worker's folder and returns its claim, or null when none is left. */
export async function claimNext(paths, worker) {
  const mine = join(paths.claimed, worker);
  await mkdir(mine, { recursive: true });
  const names = (await readdir(paths.pending)).filter((name) => name.endsWith('.json')).sort();
  // Workers start at different places in the list, so they rarely race for the same file.
  const offset = Math.floor(Math.random() * names.length);
  for (let index = 0; index < names.length; index++) {
    const name = names[(offset + index) % names.length];
    try {
      await rename(join(paths.pending, name), join(mine, name));
    } catch (error) {
      if (error.code === 'ENOENT') continue; // another worker was first
      throw error;
    }
    return toClaim(mine, name);
  }
  return null;
}

function toClaim(dir, name) {
  return { id: basename(name, '.json'), file: join(dir, name) };
}

export async function readJob(claim) {
  return JSON.parse(await readFile(claim.file, 'utf8'));
}

/** Jobs left in the worker's folder by a run that was killed: each is either finished or redone. */
export async function listClaims(paths, worker) {
  const mine = join(paths.claimed, worker);
  await mkdir(mine, { recursive: true });
  return (await readdir(mine))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => toClaim(mine, name));
}

export async function hasResult(paths, id) {
  try {
    await stat(join(paths.results, `${id}.json`));
    return true;
  } catch (error) {
    if (error.code === 'ENOENT') return false;
    throw error;
  }
}

/** Result first, then the journal line, then the claim goes: a crash in between never loses the job. */
export async function complete(paths, worker, claim, result) {
  await writeWhole(paths, join(paths.results, `${claim.id}.json`), result);
  await appendFile(join(paths.journal, `${worker}.log`), `${claim.id}\n`);
  await rm(claim.file, { force: true });
}

export function dropClaim(claim) {
  return rm(claim.file, { force: true });
}

/** A job that cannot be processed goes to failed/, so it is not retried forever. */
export function setAside(paths, claim) {
  return rename(claim.file, join(paths.failed, `${claim.id}.json`));
}
