import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { ensureFifos, openFifoForChild, openFifoForReading } from './fifo.js';
import { READ_BUFFER_BYTES, startReadPath } from './read-path.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tend-read-path-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('every read lands in one shared buffer, in order, and the end is reported once', async () => {
  const path = join(dir, 'out.fifo');
  ensureFifos([path]);
  const writer = openFifoForChild(path);
  const reader = openFifoForReading(path);
  const memory = new Set<ArrayBufferLike>();
  const received: Buffer[] = [];
  let ends = 0;
  const ended = new Promise<void>((resolve) => {
    startReadPath(
      reader,
      (chunk) => {
        assert.ok(chunk.length <= READ_BUFFER_BYTES);
        memory.add(chunk.buffer);
        received.push(Buffer.from(chunk)); // a copy: the chunk is only valid while this runs
      },
      () => {
        ends++;
        resolve();
      },
    );
  });
  // Several reads' worth, written by another process while this one reads.
  const child = spawn('/bin/sh', ['-c', 'seq 1 100000'], { stdio: ['ignore', writer, 'inherit'] });
  closeSync(writer);
  await new Promise((resolve) => child.on('exit', resolve));
  await ended;
  const expected = `${Array.from({ length: 100000 }, (_, index) => index + 1).join('\n')}\n`;
  assert.equal(Buffer.concat(received).toString(), expected);
  assert.ok(received.length > 1, `${received.length} reads`);
  assert.equal(memory.size, 1, 'no new Buffer per read');
  assert.equal(ends, 1);
});
