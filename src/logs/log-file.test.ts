import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { makeFullDevice, waitFor } from '../../test/e2e/helpers.js';
import type { PipeDrainHelper } from '../native.js';
import { LINE_OVERRUN_BYTES } from './line-rotation.js';
import { type LogFault, LogFile, type LogFileHooks } from './log-file.js';
import { listRotated, NO_ROTATION, type RotationPolicy } from './rotation.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tend-log-file-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Recorded {
  faults: LogFault[];
  recoveries: { path: string; droppedBytes: number }[];
}

function createFile(path: string, policy: RotationPolicy = NO_ROTATION): { file: LogFile } & Recorded {
  const recorded: Recorded = { faults: [], recoveries: [] };
  const hooks: LogFileHooks = {
    onFault: (fault) => recorded.faults.push(fault),
    onRecover: (faultPath, droppedBytes) => recorded.recoveries.push({ path: faultPath, droppedBytes }),
  };
  return { file: new LogFile(path, policy, hooks), ...recorded };
}

/** `count` numbered lines of about 100 bytes, cut into chunks of random sizes that ignore line ends. */
function makeNumberedInput(count: number, maxChunk: number): { text: string; chunks: Buffer[] } {
  const padding = 'x'.repeat(90);
  let text = '';
  for (let index = 1; index <= count; index++) text += `${index} ${padding}\n`;
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    const size = 1 + Math.floor(Math.random() * maxChunk);
    chunks.push(bytes.subarray(start, start + size));
    start += size;
  }
  return { text, chunks };
}

/** Rotated files oldest first, then the current file: what a reader of the whole history sees. */
function readHistory(path: string): string[] {
  const files = [...listRotated(path).map((file) => file.path), path];
  return files.map((file) =>
    file.endsWith('.gz') ? gunzipSync(readFileSync(file)).toString() : readFileSync(file, 'utf8'),
  );
}

test('appends every write, to an existing file too', () => {
  const path = join(dir, 'app.out.log');
  writeFileSync(path, 'before\n');
  const { file, faults } = createFile(path);
  file.write(Buffer.from('one\n'));
  file.write(Buffer.from('two\nthr'));
  file.write(Buffer.from('ee\n'));
  file.close();
  assert.equal(readFileSync(path, 'utf8'), 'before\none\ntwo\nthree\n');
  assert.deepEqual(faults, []);
  assert.equal(file.droppedBytes, 0);
});

test('creates the file and its directory on the first write', () => {
  const path = join(dir, 'nested', 'deeper', 'app.out.log');
  const { file } = createFile(path);
  file.write(Buffer.from('hello\n'));
  file.close();
  assert.equal(readFileSync(path, 'utf8'), 'hello\n');
});

test('rotates many times at line boundaries, losing, duplicating and splitting no line', () => {
  const path = join(dir, 'app.out.log');
  const maxSizeBytes = 4096;
  const { file } = createFile(path, { maxSizeBytes, keep: 10_000, compress: false });
  // Chunks end mid-line, and some are larger than the whole limit.
  const { text, chunks } = makeNumberedInput(20_000, 6000);
  for (const chunk of chunks) file.write(chunk);
  file.close();

  const contents = readHistory(path);
  assert.ok(contents.length > 100, `expected many rotations, got ${contents.length - 1}`);
  assert.equal(contents.join(''), text, 'the files concatenated oldest first give back the input');
  for (const [index, content] of contents.entries()) {
    assert.ok(content.endsWith('\n'), `file ${index} ends at a line boundary`);
    assert.match(content, /^\d+ x/, `file ${index} starts at a line boundary`);
    // Over the limit by at most the line that was in progress when it was reached.
    assert.ok(Buffer.byteLength(content) <= maxSizeBytes + 100, `file ${index} is within maxSize`);
  }
});

test('a line begun near the limit is finished in its file before rotating', () => {
  const path = join(dir, 'app.out.log');
  const { file } = createFile(path, { maxSizeBytes: 100, keep: 100, compress: false });
  file.write(Buffer.from(`${'a'.repeat(50)}\n${'b'.repeat(45)}`));
  file.write(Buffer.from(`${'b'.repeat(20)}\nnext\n`));
  file.close();
  assert.deepEqual(readHistory(path), [`${'a'.repeat(50)}\n${'b'.repeat(65)}\n`, 'next\n']);
});

test('a file that ends mid-line when reopened is finished before rotating', () => {
  const path = join(dir, 'app.out.log');
  writeFileSync(path, `${'a'.repeat(95)}`);
  const { file } = createFile(path, { maxSizeBytes: 100, keep: 100, compress: false });
  file.write(Buffer.from('aaaaaaaaaa\nnext\n'));
  file.close();
  assert.deepEqual(readHistory(path), [`${'a'.repeat(105)}\n`, 'next\n']);
});

test('a line longer than maxSize gets a file of its own instead of being split', () => {
  const path = join(dir, 'app.out.log');
  const { file } = createFile(path, { maxSizeBytes: 100, keep: 100, compress: false });
  const long = `${'L'.repeat(350)}\n`;
  file.write(Buffer.from('short 1\n'));
  file.write(Buffer.from(long));
  file.write(Buffer.from('short 2\n'));
  file.close();
  assert.deepEqual(readHistory(path), ['short 1\n', long, 'short 2\n']);
});

test('a line longer than maxSize that arrives in pieces is not split either', () => {
  const path = join(dir, 'app.out.log');
  const { file } = createFile(path, { maxSizeBytes: 100, keep: 100, compress: false });
  file.write(Buffer.from('short 1\n'));
  for (let piece = 0; piece < 5; piece++) file.write(Buffer.from('P'.repeat(70)));
  file.write(Buffer.from('\nshort 2\n'));
  file.close();
  const history = readHistory(path);
  assert.equal(history.join(''), `short 1\n${'P'.repeat(350)}\nshort 2\n`);
  for (const content of history)
    assert.ok(content.endsWith('\n'), `"${content.slice(0, 20)}…" is whole lines`);
  assert.ok(
    history.some((content) => content.includes(`\n${'P'.repeat(350)}\n`)),
    'the long line is whole in one file',
  );
});

test('output that never writes a newline is cut once a file is LINE_OVERRUN_BYTES past maxSize', () => {
  const path = join(dir, 'app.out.log');
  const { file } = createFile(path, { maxSizeBytes: 100, keep: 100, compress: false });
  const piece = Buffer.alloc(10_000, 'N');
  for (let index = 0; index < 30; index++) file.write(piece);
  file.write(Buffer.from('\nafter\n'));
  file.close();
  const history = readHistory(path);
  assert.equal(history.join(''), `${'N'.repeat(300_000)}\nafter\n`);
  assert.ok(history.length >= 4, `${history.length} files`);
  for (const content of history)
    assert.ok(content.length <= 100 + LINE_OVERRUN_BYTES, `a file of ${content.length} bytes`);
});

test('a single write past the overrun is cut as well', () => {
  const path = join(dir, 'app.out.log');
  const { file } = createFile(path, { maxSizeBytes: 100, keep: 100, compress: false });
  file.write(Buffer.from('short\n'));
  file.write(Buffer.alloc(2 * LINE_OVERRUN_BYTES + 50, 'N'));
  file.close();
  const sizes = readHistory(path).map((content) => content.length);
  assert.deepEqual(sizes, [6, 100 + LINE_OVERRUN_BYTES, LINE_OVERRUN_BYTES - 50]);
});

test('keep prunes the oldest rotated files', () => {
  const path = join(dir, 'app.out.log');
  const { file } = createFile(path, { maxSizeBytes: 50, keep: 3, compress: false });
  for (let index = 1; index <= 40; index++)
    file.write(Buffer.from(`line ${String(index).padStart(2, '0')} ${'-'.repeat(30)}\n`));
  file.close();
  const rotated = listRotated(path);
  assert.equal(rotated.length, 3);
  const history = readHistory(path).join('');
  assert.ok(history.startsWith('line 37 '), `the newest lines are kept, got ${history.slice(0, 10)}`);
  assert.ok(history.endsWith(`line 40 ${'-'.repeat(30)}\n`));
});

test('keep 0 deletes rotated files right away', () => {
  const path = join(dir, 'app.out.log');
  const { file } = createFile(path, { maxSizeBytes: 20, keep: 0, compress: false });
  for (let index = 0; index < 10; index++) file.write(Buffer.from(`line ${index} padding\n`));
  file.close();
  assert.deepEqual(listRotated(path), []);
  assert.equal(readFileSync(path, 'utf8'), 'line 9 padding\n');
});

test('compress gzips rotated files in the background; they gunzip to what was written', async () => {
  const path = join(dir, 'app.out.log');
  const { file } = createFile(path, { maxSizeBytes: 4096, keep: 100, compress: true });
  const { text, chunks } = makeNumberedInput(500, 3000);
  for (const chunk of chunks) file.write(chunk);
  file.close();
  await waitFor(
    () => {
      const entries = readdirSync(dir);
      return (
        !entries.some((entry) => entry.endsWith('.tmp')) && listRotated(path).every((file) => file.compressed)
      );
    },
    5000,
    'every rotated file to be compressed',
  );
  const rotated = listRotated(path);
  assert.ok(rotated.length >= 10, `expected rotations, got ${rotated.length}`);
  for (const { path: rotatedPath } of rotated) assert.ok(rotatedPath.endsWith('.gz'));
  assert.equal(readHistory(path).join(''), text);
});

test('compress still prunes to keep once compression is done', async () => {
  const path = join(dir, 'app.out.log');
  const { file } = createFile(path, { maxSizeBytes: 1000, keep: 2, compress: true });
  const { chunks } = makeNumberedInput(200, 500);
  for (const chunk of chunks) file.write(chunk);
  file.close();
  await waitFor(
    () => !readdirSync(dir).some((entry) => entry.endsWith('.tmp')) && listRotated(path).length === 2,
    5000,
    'two compressed files to remain',
  );
  assert.ok(listRotated(path).every((rotated) => rotated.compressed));
});

test('maxSize 0 never rotates', () => {
  const path = join(dir, 'app.out.log');
  const { file } = createFile(path, { maxSizeBytes: 0, keep: 5, compress: false });
  const { text, chunks } = makeNumberedInput(2000, 4000);
  for (const chunk of chunks) file.write(chunk);
  file.close();
  assert.deepEqual(listRotated(path), []);
  assert.equal(readFileSync(path, 'utf8'), text);
});

test('rotate() starts a new file only when the current one has something in it', () => {
  const path = join(dir, 'app.out.log');
  const { file } = createFile(path, { maxSizeBytes: 0, keep: 5, compress: false });
  file.rotate();
  assert.deepEqual(listRotated(path), [], 'nothing to rotate before any write');
  file.write(Buffer.from('day one\n'));
  file.rotate();
  file.rotate();
  file.write(Buffer.from('day two\n'));
  file.close();
  assert.deepEqual(readHistory(path), ['day one\n', 'day two\n']);
});

test('a write to /dev/full reports one fault, counts the dropped bytes and never throws', () => {
  const full = makeFullDevice(dir);
  const { file, faults, recoveries } = createFile(full, {
    maxSizeBytes: 100,
    keep: 1,
    compress: false,
  });
  for (let index = 0; index < 5; index++) file.write(Buffer.from('0123456789\n'));
  assert.equal(faults.length, 1, 'one fault, not one per write');
  assert.equal(faults[0]?.path, full);
  assert.equal(faults[0]?.error.code, 'ENOSPC');
  assert.equal(faults[0]?.droppedBytes, 11);
  assert.equal(file.droppedBytes, 55);
  assert.equal(file.faulted, true);
  assert.deepEqual(recoveries, []);
  file.close();
});

test('recovers by itself once writing works again, and says how much was dropped', () => {
  const blocker = join(dir, 'not-a-dir');
  writeFileSync(blocker, '');
  const path = join(blocker, 'app.out.log');
  const { file, faults, recoveries } = createFile(path);
  file.write(Buffer.from('lost 1\n'));
  file.write(Buffer.from('lost 2\n'));
  assert.equal(faults.length, 1);
  assert.equal(typeof faults[0]?.error.code, 'string');
  rmSync(blocker);
  file.write(Buffer.from('kept\n'));
  file.close();
  assert.deepEqual(recoveries, [{ path, droppedBytes: 14 }]);
  assert.equal(file.faulted, false);
  assert.equal(readFileSync(path, 'utf8'), 'kept\n');
});

test('a file whose directory was removed is re-created within about a second of writes', async () => {
  const logDir = join(dir, 'logs');
  const path = join(logDir, 'app.out.log');
  const { file, faults, recoveries } = createFile(path);
  file.write(Buffer.from('before 1\n'));
  file.write(Buffer.from('before 2\n'));
  rmSync(logDir, { recursive: true });
  let written = 0;
  const startedAt = Date.now();
  await waitFor(
    () => {
      file.write(Buffer.from(`after ${++written}\n`));
      return existsSync(path);
    },
    3000,
    'the file to be re-created',
  );
  const elapsed = Date.now() - startedAt;
  assert.ok(elapsed < 1500, `re-created after ${elapsed} ms`);
  // The check is a stat at most once a second, not one per write: the second write above just made it.
  assert.ok(elapsed >= 800, `re-created after ${elapsed} ms, sooner than the check interval`);
  file.write(Buffer.from('resumed\n'));
  file.close();
  const content = readFileSync(path, 'utf8');
  assert.ok(content.endsWith(`after ${written}\nresumed\n`), content);
  assert.equal(faults.length, 1, 'the removal is reported');
  assert.equal(faults[0]?.error.code, 'ENOENT');
  assert.deepEqual(recoveries, [{ path, droppedBytes: 0 }], 'and so is the recovery');
});

test('reopen opens the path again at once: a file moved away is replaced by a new one', () => {
  const path = join(dir, 'app.log');
  const { file, faults } = createFile(path);
  file.write(Buffer.from('before\n'));
  writeFileSync(join(dir, 'moved.log'), readFileSync(path));
  rmSync(path);
  file.reopen();
  assert.ok(existsSync(path), 'the path is open again before anything is written');
  file.write(Buffer.from('after\n'));
  assert.equal(readFileSync(path, 'utf8'), 'after\n');
  assert.deepEqual(faults, []);
  file.close();
});

test('reopen of a file never opened leaves it closed until the first write', () => {
  const path = join(dir, 'app.log');
  const { file } = createFile(path);
  file.reopen();
  assert.equal(existsSync(path), false);
  file.write(Buffer.from('one\n'));
  assert.equal(readFileSync(path, 'utf8'), 'one\n');
  file.close();
});

test('a file system that refuses splice falls back to copying, and later writes still append', () => {
  const path = join(dir, 'app.out.log');
  writeFileSync(path, 'old\n');
  const fifo = join(dir, 'app.out.fifo');
  execFileSync('mkfifo', [fifo]);
  const source = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const einval = Object.assign(new Error('splice: Invalid argument'), { code: 'EINVAL' });
  const noSplice: PipeDrainHelper = {
    watchReadable: () => ({ close() {} }),
    peekPipe: () => -1,
    pipeBytes: () => 0,
    spliceToFile: () => {
      throw einval;
    },
  };
  const hooks: LogFileHooks = { onFault: () => {}, onRecover: () => {} };
  const file = new LogFile(path, NO_ROTATION, hooks, noSplice);
  try {
    writeSync(source, 'new1\n');
    assert.equal(file.spliceBlind(source, 5), true);
    file.write(Buffer.from('new2\n'));
    writeSync(source, 'new3\n');
    file.spliceFrom(source, Buffer.from('new3\n'));
    assert.equal(readFileSync(path, 'utf8'), 'old\nnew1\nnew2\nnew3\n');
  } finally {
    file.close();
    closeSync(source);
  }
});
