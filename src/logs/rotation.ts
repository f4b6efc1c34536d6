import {
  closeSync,
  constants,
  createReadStream,
  createWriteStream,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';

// Rotated files are named by a sequence number and the moment they were rotated
// (`web.out.log.000042.20261121-164000-123`, `.gz` once compressed), so nothing is ever renamed twice
// and compression can run in the background without racing the next rotation. The newest `keep` are
// kept. Order comes from the sequence, never from the clock: a clock stepped backwards must not make
// the newest files look oldest (and get them pruned). Files named the older way
// (`web.out.log.20261121-164000-123[-N]`, no sequence) are older than any numbered one.

/** How a log file rotates by size, and what is kept of the rotated ones. */
export interface RotationPolicy {
  /** 0 disables rotation by size. */
  readonly maxSizeBytes: number;
  readonly keep: number;
  readonly compress: boolean;
}

export const NO_ROTATION: RotationPolicy = { maxSizeBytes: 0, keep: 0, compress: false };

function stamp(date: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}-${pad(date.getUTCMilliseconds(), 3)}`
  );
}

const SEQUENCE_DIGITS = 6;
const ROTATED_SUFFIX = /^\.(\d{6,})\.(\d{8}-\d{6}-\d{3})(\.gz)?$/;
/** Before sequence numbers: ordered by the stamp, then the same-millisecond suffix. */
const LEGACY_SUFFIX = /^\.(\d{8}-\d{6}-\d{3})(?:-(\d+))?(\.gz)?$/;

/** The next name: one more than the highest sequence number on disk (pruned or compressed files included). */
export function getRotatedName(path: string, date: Date): string {
  const last = listRotated(path).at(-1);
  const next = last === undefined ? 1 : last.sequence + 1;
  return `${path}.${String(next).padStart(SEQUENCE_DIGITS, '0')}.${stamp(date)}`;
}

export interface RotatedFile {
  readonly path: string;
  readonly compressed: boolean;
  /** 0 for a file named before sequence numbers. */
  readonly sequence: number;
}

/** Rotated files of `path`, oldest first. */
export function listRotated(path: string): RotatedFile[] {
  const dir = dirname(path);
  const name = basename(path);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const found: (RotatedFile & { key: string })[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(name) || entry.endsWith('.tmp')) continue;
    const suffix = entry.slice(name.length);
    const match = ROTATED_SUFFIX.exec(suffix);
    if (match) {
      const sequence = Number(match[1]);
      const key = `1-${String(sequence).padStart(16, '0')}`;
      found.push({ path: join(dir, entry), compressed: match[3] !== undefined, sequence, key });
      continue;
    }
    const legacy = LEGACY_SUFFIX.exec(suffix);
    if (!legacy) continue;
    const key = `0-${legacy[1]}-${(legacy[2] ?? '0').padStart(6, '0')}`;
    found.push({ path: join(dir, entry), compressed: legacy[3] !== undefined, sequence: 0, key });
  }
  found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)); // mutation: equivalent (keys are unique)
  return found.map(({ path: file, compressed, sequence }) => ({ path: file, compressed, sequence }));
}

export function pruneRotated(path: string, keep: number): void {
  const rotated = listRotated(path);
  for (const file of rotated.slice(0, Math.max(0, rotated.length - keep))) {
    try {
      unlinkSync(file.path);
    } catch {
      // already gone
    }
  }
}

/** Rotated files being compressed by this process: their `.gz.tmp` is in use. */
const compressing = new Set<string>();

/** Keeps the directory a path goes through (safe-path.ts) open while a compression uses it. */
export interface DirectoryHold {
  retain(): void;
  release(): void;
}

// Neither end follows a symlink: the rotated file could be one by now, and the .gz.tmp is new.
const READ_NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW;
const CREATE_NO_FOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** gzip off the hot path: streams in the background, then swaps the file for its .gz. */
export function compressInBackground(path: string, done: () => void, hold?: DirectoryHold): void {
  const temporary = `${path}.gz.tmp`;
  let sourceFd: number;
  let targetFd: number;
  try {
    sourceFd = openSync(path, READ_NO_FOLLOW);
  } catch {
    done();
    return;
  }
  try {
    targetFd = openSync(temporary, CREATE_NO_FOLLOW, 0o600);
  } catch {
    closeSync(sourceFd);
    done();
    return;
  }
  compressing.add(path);
  hold?.retain();
  const source = createReadStream(path, { fd: sourceFd });
  const target = createWriteStream(temporary, { fd: targetFd });
  pipeline(source, createGzip(), target, (error) => {
    compressing.delete(path);
    try {
      if (error) {
        unlinkSync(temporary);
      } else {
        renameSync(temporary, `${path}.gz`);
        unlinkSync(path);
      }
    } catch {
      // the file may have been flushed away meanwhile
    }
    done();
    hold?.release();
  });
}

/**
 * What a daemon killed during compression left behind: a half-written `.gz.tmp` (deleted) beside
 * the rotated file it came from, which is compressed again when compression is on.
 */
export function recoverCompression(
  path: string,
  compress: boolean,
  done: () => void,
  hold?: DirectoryHold,
): void {
  const dir = dirname(path);
  const name = basename(path);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(name) || !entry.endsWith('.gz.tmp')) continue;
    const source = join(dir, entry.slice(0, -'.gz.tmp'.length));
    if (compressing.has(source)) continue;
    try {
      unlinkSync(join(dir, entry));
    } catch {
      // gone meanwhile
    }
  }
  if (!compress) return;
  for (const file of listRotated(path)) {
    if (!file.compressed && !compressing.has(file.path)) compressInBackground(file.path, done, hold);
  }
}
