import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listRotated } from '../src/logs/rotation.js';

// Reads back what a soak-writer program wrote: its rotated files oldest first, then the current one,
// and checks that "line 1" … "line N", "end N" arrived exactly once each and in order.

const LINE_PATTERN = /^line (\d+)$/;
const END_PATTERN = /^end (\d+)$/;
const MAX_REPORTED = 5;

export interface LineCheck {
  readonly program: string;
  readonly files: number;
  /** Numbered lines read. */
  readonly checked: number;
  /** The N of "end N", or null when the writer's last line has not arrived. */
  readonly endedAt: number | null;
  readonly lost: number;
  readonly duplicated: number;
  /** Lines that did not follow the one before (a gap or a repeat), and anything that is not a numbered line. */
  readonly outOfOrder: number;
  readonly garbled: number;
  /** Runs of missing lines (the first few), to tell when they were written. */
  readonly gaps: { readonly from: number; readonly to: number }[];
  /** The first few problems, to show in the summary. */
  readonly examples: string[];
}

export function getLogFiles(home: string, program: string): string[] {
  const current = join(home, 'logs', `${program}.out.log`);
  const rotated = listRotated(current);
  const compressed = rotated.find((file) => file.compressed);
  if (compressed) throw new Error(`${compressed.path} is compressed; the soak writes uncompressed logs`);
  return [...rotated.map((file) => file.path), current];
}

export function readLines(files: readonly string[]): string[] {
  const text = files
    .map((file) => {
      try {
        return readFileSync(file, 'latin1');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
        throw error;
      }
    })
    .join('');
  const lines = text.split('\n');
  lines.pop();
  return lines;
}

/** Whether the writer's final "end N" line has reached the log (it stops writing then). */
export function hasEnded(home: string, program: string): boolean {
  const lines = readLines(getLogFiles(home, program));
  return lines.length > 0 && END_PATTERN.test(lines[lines.length - 1] ?? '');
}

export function checkNumberedLog(home: string, program: string): LineCheck {
  const files = getLogFiles(home, program);
  const lines = readLines(files);
  const examples: string[] = [];
  const note = (problem: string) => {
    if (examples.length < MAX_REPORTED) examples.push(problem);
  };
  let seen: Uint8Array = new Uint8Array(1024);
  let highest = 0;
  let checked = 0;
  let previous = 0;
  let outOfOrder = 0;
  let garbled = 0;
  let endedAt: number | null = null;
  for (const [index, line] of lines.entries()) {
    const end = END_PATTERN.exec(line);
    if (end && index === lines.length - 1) {
      endedAt = Number(end[1]);
      continue;
    }
    const match = LINE_PATTERN.exec(line);
    if (!match) {
      garbled += 1;
      note(`line ${index + 1} of the joined files is ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    const number = Number(match[1]);
    if (number >= seen.length) seen = grow(seen, number);
    seen[number] = Math.min(255, (seen[number] ?? 0) + 1);
    highest = Math.max(highest, number);
    checked += 1;
    if (number !== previous + 1) {
      outOfOrder += 1;
      note(`"line ${number}" follows "line ${previous}"`);
    }
    previous = number;
  }
  highest = Math.max(highest, endedAt ?? 0);
  let lost = 0;
  let duplicated = 0;
  const gaps: { from: number; to: number }[] = [];
  for (let number = 1; number <= highest; number++) {
    const count = seen[number] ?? 0;
    if (count > 1) duplicated += count - 1;
    if (count > 0) continue;
    lost += 1;
    const last = gaps.at(-1);
    if (last && last.to === number - 1) last.to = number;
    else if (gaps.length < MAX_REPORTED) gaps.push({ from: number, to: number });
  }
  if (endedAt === null) note('the final "end N" line is missing');
  return {
    program,
    files: files.length,
    checked,
    endedAt,
    lost,
    duplicated,
    outOfOrder,
    garbled,
    gaps,
    examples,
  };
}

function grow(counts: Uint8Array, index: number): Uint8Array {
  const grown = new Uint8Array(Math.max(index + 1, counts.length * 2));
  grown.set(counts);
  return grown;
}
