// Fallback log generator when no C compiler is available: the same contract as loggen.c
// (`loggen.mjs MARKER log BYTES`, waits for SIGUSR2, numbered 100-byte lines, then sleeps).
import { writeSync } from 'node:fs';

const LINE = 100;
const PER_BUF = 655;
const lines = Math.floor(Number(process.argv[4]) / LINE);
const done = () => process.exit(0);
process.on('SIGTERM', done);
process.on('SIGINT', done);
process.on('SIGUSR2', () => {
  const buf = Buffer.alloc(LINE * PER_BUF);
  for (let i = 0; i < PER_BUF; i++) {
    buf.fill(97 + (i % 26), i * LINE, (i + 1) * LINE);
    buf[i * LINE + 10] = 32;
    buf[i * LINE + LINE - 1] = 10;
  }
  for (let next = 0; next < lines; ) {
    const count = Math.min(PER_BUF, lines - next);
    for (let i = 0; i < count; i++) buf.write(String(next + i).padStart(10, '0'), i * LINE, 'latin1');
    const size = count * LINE;
    for (let off = 0; off < size; ) {
      try {
        off += writeSync(1, buf, off, size - off);
      } catch (error) {
        if (error.code !== 'EAGAIN') throw error;
      }
    }
    next += count;
  }
});
setInterval(() => {}, 1 << 30);
