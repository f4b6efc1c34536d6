import { createReadStream, createWriteStream, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';

// Rotated files are named after the moment they were rotated (`web.out.log.20261121-164000-123`,
// `.gz` once compressed), so nothing is ever renamed twice and compression can run in the
// background without racing the next rotation. The newest `keep` are kept.

function stamp(date: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}-${pad(date.getUTCMilliseconds(), 3)}`
  );
}

const ROTATED_SUFFIX = /^\.(\d{8}-\d{6}-\d{3})(?:-(\d+))?(\.gz)?$/;

/** A name that sorts after every rotated file, even when older ones of the same millisecond were pruned. */
export function getRotatedName(path: string, date: Date): string {
  const base = `${path}.${stamp(date)}`;
  let highest = -1;
  for (const file of listRotated(path)) {
    const name = file.path.replace(/\.gz$/, '');
    if (name === base) highest = Math.max(highest, 0);
    else if (name.startsWith(`${base}-`)) highest = Math.max(highest, Number(name.slice(base.length + 1)));
  }
  return highest < 0 ? base : `${base}-${highest + 1}`;
}

export interface RotatedFile {
  readonly path: string;
  readonly compressed: boolean;
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
  const found: { path: string; compressed: boolean; key: string }[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(name) || entry.endsWith('.tmp')) continue;
    const match = ROTATED_SUFFIX.exec(entry.slice(name.length));
    if (!match) continue;
    const key = `${match[1]}-${(match[2] ?? '0').padStart(6, '0')}`;
    found.push({ path: join(dir, entry), compressed: match[3] !== undefined, key });
  }
  found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return found.map(({ path: file, compressed }) => ({ path: file, compressed }));
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

/** gzip off the hot path: streams in the background, then swaps the file for its .gz. */
export function compressInBackground(path: string, done: () => void): void {
  const temporary = `${path}.gz.tmp`;
  pipeline(createReadStream(path), createGzip(), createWriteStream(temporary, { mode: 0o600 }), (error) => {
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
  });
}
