// Splits a byte stream into lines without copying complete lines: each is a view into the chunk it
// arrived in, valid while onLine runs. Only a trailing partial line is kept (a copy: the chunk's
// memory may be reused by the next read), until its newline (or a flush) arrives.

const NEWLINE = 0x0a;

export class LineSplitter {
  #partial: Buffer[] = [];
  #partialLength = 0;

  get partialLength(): number {
    return this.#partialLength;
  }

  /** Calls onLine for every complete line (without its newline); keeps the rest. */
  push(chunk: Buffer, onLine: (line: Buffer) => void): void {
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    while (end !== -1) {
      if (this.#partialLength > 0) {
        this.#partial.push(chunk.subarray(start, end));
        onLine(Buffer.concat(this.#partial));
        this.#partial = [];
        this.#partialLength = 0;
      } else {
        onLine(chunk.subarray(start, end));
      }
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      // A copy: the chunk's memory is reused by the next read.
      this.#partial.push(Buffer.from(chunk.subarray(start)));
      this.#partialLength += chunk.length - start;
    }
  }

  /** Hands out the partial line (if any) and forgets it. */
  takePartial(): Buffer | null {
    if (this.#partialLength === 0) return null;
    const partial = Buffer.concat(this.#partial);
    this.#partial = [];
    this.#partialLength = 0;
    return partial;
  }
}
