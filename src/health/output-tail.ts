// The last N bytes of a stream, without keeping the rest: chunks are appended and the front is
// dropped once the total passes twice the limit, so a chatty check costs a bounded copy.

export class OutputTail {
  #limitBytes: number;
  #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(limitBytes: number) {
    this.#limitBytes = limitBytes;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (this.#bytes > this.#limitBytes * 2) this.#compact();
  }

  toString(): string {
    this.#compact();
    // Cut at a character boundary: drop leading UTF-8 continuation bytes.
    const buffer = this.#chunks[0] ?? Buffer.alloc(0);
    let start = 0;
    while (start < buffer.length && start < 3 && ((buffer[start] as number) & 0xc0) === 0x80) start++;
    return buffer.subarray(start).toString('utf8');
  }

  #compact(): void {
    const all = Buffer.concat(this.#chunks);
    const kept = all.length > this.#limitBytes ? all.subarray(all.length - this.#limitBytes) : all;
    this.#chunks = [Buffer.from(kept)];
    this.#bytes = kept.length;
  }
}
