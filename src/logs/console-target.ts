import type { Target } from './line-writer.js';

// The `console` log target: a program's lines go to the daemon's own output as `name | line`, which
// is what a container's log collector reads when tend runs as PID 1.

const NEWLINE = Buffer.from('\n');

export class ConsoleTarget implements Target {
  #write: (data: Buffer) => void;
  #prefix: Buffer;

  constructor(write: (data: Buffer) => void, name: string) {
    this.#write = write;
    this.#prefix = Buffer.from(`${name} | `);
  }

  write(data: Buffer): void {
    // data holds whole lines; prefix each one.
    const parts: Buffer[] = [];
    let start = 0;
    for (let end = data.indexOf(0x0a); end !== -1; end = data.indexOf(0x0a, start)) {
      parts.push(this.#prefix, data.subarray(start, end + 1));
      start = end + 1;
    }
    if (start < data.length) parts.push(this.#prefix, data.subarray(start), NEWLINE);
    this.#write(Buffer.concat(parts));
  }
}
