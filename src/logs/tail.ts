import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
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

/** The last `count` lines of one file (without their newlines), oldest first. */
export function readLastLines(path: string, count: number): string[] {
  if (count <= 0) return [];
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    let position = size;
    const blocks: Buffer[] = [];
    let newlines = 0;
    // Read backwards until there are more newlines than lines wanted (one may end the file).
    while (position > 0 && newlines <= count) {
      const length = Math.min(BLOCK_BYTES, position);
      position -= length;
      const block = Buffer.alloc(length);
      readSync(fd, block, 0, length, position);
      for (let index = block.indexOf(0x0a); index !== -1; index = block.indexOf(0x0a, index + 1)) newlines++;
      blocks.unshift(block);
    }
    // Decoded once: a block boundary may cut a multi-byte character.
    const lines = Buffer.concat(blocks).toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count);
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
    const lines = readLastLines(file, count - records.length);
    const parsed = lines
      .map((line) => parseLine(line, stream, options))
      .filter((record) => sinceMs === null || record.time === null || record.time >= sinceMs);
    records.unshift(...parsed);
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
