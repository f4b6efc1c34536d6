// Where a chunk is cut when it would take a log file past its size limit, so the file rotates at a
// line end: a reader of the rotated files never finds a line split across two of them. Used by
// LogFile for every chunk that crosses the limit; the bytes themselves are moved by the writer.

const NEWLINE = 0x0a;

/**
 * How far past maxSize a file may grow to finish a line. A longer line is cut there (line-mode
 * capture cuts lines at the same length), or output that never writes a newline would grow one
 * file without end.
 */
export const LINE_OVERRUN_BYTES = 64 * 1024;

/** The file being written: its size, whether it ends a line, and starting a new one. */
export interface RotatingFile {
  readonly size: number;
  isAtLineEnd(): boolean;
  rotateNow(): void;
}

/** Moves bytes `from`..`to` of the chunk into the file (out of pipe `source` when it is not null). */
export interface RangeWriter {
  writeRange(chunk: Uint8Array, from: number, to: number, source: number | null): void;
}

/**
 * Writes what fits up to the last newline within the limit, rotates, and goes on with the rest.
 * A line is not split: one that started in the current file (a chunk may end mid-line) is
 * finished there, and one longer than the limit gets a file of its own, even if over the limit;
 * but no file grows past the limit by more than LINE_OVERRUN_BYTES: there the line is cut.
 */
export function writeAcrossRotation(
  file: RotatingFile,
  writer: RangeWriter,
  chunk: Uint8Array,
  source: number | null,
  limit: number,
): void {
  let start = 0;
  while (start < chunk.length) {
    const remaining = chunk.length - start;
    if (file.size + remaining <= limit) {
      writer.writeRange(chunk, start, chunk.length, source);
      return;
    }
    const room = limit - file.size;
    let cut = room > 0 ? chunk.lastIndexOf(NEWLINE, start + room - 1) + 1 : 0;
    if (cut <= start) {
      if (file.size > 0 && file.isAtLineEnd()) {
        file.rotateNow();
        continue;
      }
      cut = chunk.indexOf(NEWLINE, start) + 1;
      const furthest = start + limit + LINE_OVERRUN_BYTES - file.size;
      if (cut === 0 && chunk.length <= furthest) {
        writer.writeRange(chunk, start, chunk.length, source);
        return;
      }
      if (cut === 0 || cut > furthest) {
        // Past the overrun with no newline: cut the line here (at once if the file is that full).
        if (furthest > start) writer.writeRange(chunk, start, furthest, source);
        start = Math.max(start, furthest);
        file.rotateNow();
        continue;
      }
    }
    writer.writeRange(chunk, start, cut, source);
    start = cut;
    if (start < chunk.length) file.rotateNow();
  }
}
