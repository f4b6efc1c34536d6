import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { LogOptions } from './log-options.js';
import { listRotated } from './rotation.js';

// Reads the last lines of a program's log, across rotated files when the current one is short,
// and turns them into records (time known only where the log has timestamps or JSON lines).

const BLOCK_BYTES = 64 * 1024;
const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (.*)$/s;

export interface TailRecord {
  readonly time: number | null;
  readonly stream: 'out' | 'err';
  readonly line: string;
}

/**
 * How much of a file the tail reads at most: `count` lines of 64 KB, within 1–16 MB. Output without
 * newlines (or with huge lines) must not make the daemon read, and hold, a whole file.
 */
export const MIN_TAIL_WINDOW_BYTES = 1024 * 1024;
export const MAX_TAIL_WINDOW_BYTES = 16 * 1024 * 1024;
const TAIL_BYTES_PER_LINE = 64 * 1024;

export function getTailWindowBytes(count: number): number {
  return Math.min(MAX_TAIL_WINDOW_BYTES, Math.max(MIN_TAIL_WINDOW_BYTES, count * TAIL_BYTES_PER_LINE));
}

/** The last `count` lines of one file (without their newlines), oldest first. */
export function readLastLines(path: string, count: number): string[] {
  return readTail(path, count, getTailWindowBytes(count)).lines;
}

/**
 * The last `count` lines within the last `windowBytes` of a file. `reachedStart` is false when the
 * window ran out first: the oldest line may then be cut at its start, and older files must not be
 * read (there would be a gap).
 */
export function readTail(
  path: string,
  count: number,
  windowBytes: number,
): { lines: string[]; reachedStart: boolean } {
  if (count <= 0) return { lines: [], reachedStart: true };
  let fd: number;
  try {
    // A FIFO or a symlink planted in the log's place (its user may write the directory) is not read:
    // opening a FIFO would block the daemon until someone writes to it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return { lines: [], reachedStart: true };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { lines: [], reachedStart: true };
    const size = stats.size;
    const floor = Math.max(0, size - windowBytes);
    let position = size;
    const blocks: Buffer[] = [];
    let newlines = 0;
    // Read backwards until there are more newlines than lines wanted (one may end the file).
    while (position > floor && newlines <= count) {
      const length = Math.min(BLOCK_BYTES, position - floor);
      position -= length;
      const block = Buffer.alloc(length);
      readSync(fd, block, 0, length, position);
      for (let index = block.indexOf(0x0a); index !== -1; index = block.indexOf(0x0a, index + 1)) newlines++;
      blocks.unshift(block);
    }
    // Decoded once: a block boundary may cut a multi-byte character.
    const lines = Buffer.concat(blocks).toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    const reachedStart = position === 0;
    // Not read from the start: the first piece may be the end of a longer line; dropped unless it is
    // all there is (a line longer than the window comes back cut to the window).
    if (!reachedStart && lines.length > 1) lines.shift();
    return { lines: lines.slice(-count), reachedStart };
  } finally {
    closeSync(fd);
  }
}

export function parseLine(line: string, stream: 'out' | 'err', options: LogOptions): TailRecord {
  if (options.format === 'json') {
    try {
      const record = JSON.parse(line) as { time?: string; stream?: 'out' | 'err'; line?: string };
      return {
        time: record.time ? Date.parse(record.time) : null,
        stream: record.stream ?? stream,
        line: record.line ?? '',
      };
    } catch {
      return { time: null, stream, line };
    }
  }
  if (options.timestamps) {
    const match = TIMESTAMPED.exec(line);
    if (match) return { time: Date.parse(match[1] as string), stream, line: match[2] as string };
  }
  return { time: null, stream, line };
}

/** The last `count` records of a log, reading older rotated (uncompressed) files when needed. */
export function tailLog(
  path: string,
  stream: 'out' | 'err',
  options: LogOptions,
  count: number,
  sinceMs: number | null,
): TailRecord[] {
  const files = [
    ...listRotated(path)
      .filter((file) => !file.compressed)
      .map((file) => file.path),
    path,
  ];
  const records: TailRecord[] = [];
  for (let index = files.length - 1; index >= 0 && records.length < count; index--) {
    const file = files[index] as string;
    const modified = getModifiedMs(file);
    if (sinceMs !== null && modified !== null && modified < sinceMs) break;
    const wanted = count - records.length;
    const { lines, reachedStart } = readTail(file, wanted, getTailWindowBytes(wanted));
    const parsed = lines
      .map((line) => parseLine(line, stream, options))
      .filter((record) => sinceMs === null || record.time === null || record.time >= sinceMs);
    records.unshift(...parsed);
    if (!reachedStart) break;
  }
  return records;
}

function getModifiedMs(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}
