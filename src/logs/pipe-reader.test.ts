import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { makeFullDevice } from '../../test/e2e/helpers.js';
import { getPipeDrain, type PipeDrainHelper } from '../native.js';
import { ensureFifos, openFifoForChild, openFifoForReading } from './fifo.js';
import { type LogFault, LogFile } from './log-file.js';
import { PipeReader } from './pipe-reader.js';
import { NO_ROTATION } from './rotation.js';

// The lossless path: bytes leave a FIFO only by moving into the log file, so whatever a daemon had
// not moved when it died is still in the FIFO for the next one.

const drain = getPipeDrain();
const skip = drain ? false : 'no native pipe drain on this platform or build';
let dir: string;
let fds: number[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tend-pipe-'));
  fds = [];
});

afterEach(() => {
  for (const fd of fds) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

function openFifo(): { writer: number; reader: number } {
  const path = join(dir, 'out.fifo');
  ensureFifos([path]);
  const writer = openFifoForChild(path);
  const reader = openFifoForReading(path);
  fds.push(writer, reader);
  return { writer, reader };
}

const noHooks = { onFault: () => {}, onRecover: () => {} };

test('a peek copies without consuming; only the splice takes bytes out of the FIFO', { skip }, () => {
  if (!drain) return;
  const { writer, reader } = openFifo();
  writeSync(writer, 'one\ntwo\n');
  const buffer = Buffer.alloc(1024);
  assert.equal(drain.peekPipe(reader, buffer), 8);
  assert.equal(drain.peekPipe(reader, buffer), 8, 'the bytes are still there after a peek');
  assert.equal(buffer.subarray(0, 8).toString(), 'one\ntwo\n');
  const file = new LogFile(
    join(dir, 'out.log'),
    { maxSizeBytes: 0, keep: 0, compress: false },
    noHooks,
    drain,
  );
  file.spliceFrom(reader, buffer.subarray(0, 8));
  file.close();
  assert.equal(readFileSync(join(dir, 'out.log'), 'utf8'), 'one\ntwo\n');
  assert.equal(drain.peekPipe(reader, buffer), -1, 'empty, and a writer is still there');
});

test('spliced output rotates at line boundaries and keeps every byte, in order', { skip }, () => {
  if (!drain) return;
  const { writer, reader } = openFifo();
  const path = join(dir, 'out.log');
  const file = new LogFile(path, { maxSizeBytes: 100, keep: 100, compress: false }, noHooks, drain);
  let expected = '';
  const buffer = Buffer.alloc(300);
  for (let round = 0; round < 20; round++) {
    let text = '';
    for (let line = 0; line < 7; line++) text += `${round}-${line} ${'x'.repeat((round * 7 + line) % 23)}\n`;
    expected += text;
    writeSync(writer, text);
    // Peeks smaller than what waits, so chunks end mid-line.
    for (let length = drain.peekPipe(reader, buffer); length > 0; length = drain.peekPipe(reader, buffer)) {
      file.spliceFrom(reader, buffer.subarray(0, length));
    }
  }
  file.close();
  const rotated = readdirSync(dir)
    .filter((name) => name.startsWith('out.') && name !== 'out.log' && name !== 'out.fifo')
    .sort();
  assert.ok(rotated.length > 5, `rotated ${rotated.length} times`);
  const files = [...rotated.map((name) => join(dir, name)), path];
  const contents = files.map((file) => readFileSync(file, 'utf8'));
  assert.equal(contents.join(''), expected);
  for (const content of contents.slice(0, -1)) assert.ok(content.endsWith('\n'), 'no line is split');
});

test('bytes a file cannot take are counted as dropped and leave the FIFO, so it never fills', {
  skip,
}, () => {
  if (!drain) return;
  const { writer, reader } = openFifo();
  const faults: LogFault[] = [];
  const file = new LogFile(
    makeFullDevice(dir),
    { maxSizeBytes: 0, keep: 0, compress: false },
    {
      onFault: (fault) => faults.push(fault),
      onRecover: () => {},
    },
    drain,
  );
  writeSync(writer, 'lost\n');
  const buffer = Buffer.alloc(64);
  const length = drain.peekPipe(reader, buffer);
  file.spliceFrom(reader, buffer.subarray(0, length));
  assert.equal(faults.length, 1);
  assert.equal(file.droppedBytes, 5);
  assert.equal(drain.peekPipe(reader, buffer), -1);
});

test('a PipeReader hands over each chunk and reports the end once every writer is gone', {
  skip,
}, async () => {
  if (!drain) return;
  const { writer, reader } = openFifo();
  const path = join(dir, 'out.log');
  const file = new LogFile(path, { maxSizeBytes: 0, keep: 0, compress: false }, noHooks, drain);
  const ended = new Promise<void>((resolve) => {
    new PipeReader(reader, drain, {
      onChunk: (fd, length) => {
        if (!file.spliceBlind(fd, length)) assert.fail('no rotation is configured');
      },
      onEnd: resolve,
    });
  });
  fds.splice(fds.indexOf(reader), 1); // the reader owns it now
  // Five times the FIFO's buffer, written by another process while this one drains.
  const line = `${'y'.repeat(99)}\n`;
  const yes = spawn('/bin/sh', ['-c', `yes ${'y'.repeat(99)} | head -n 5000`], {
    stdio: ['ignore', writer, 'inherit'],
  });
  fds.splice(fds.indexOf(writer), 1);
  closeSync(writer);
  await new Promise((resolve) => yes.on('exit', resolve));
  await ended;
  file.close();
  assert.equal(readFileSync(path, 'utf8'), line.repeat(5000));
});

test('a blind splice moves bytes it never copied, and defers to a look when a rotation is due', {
  skip,
}, () => {
  if (!drain) return;
  const { writer, reader } = openFifo();
  const path = join(dir, 'out.log');
  const file = new LogFile(path, { maxSizeBytes: 12, keep: 10, compress: false }, noHooks, drain);
  writeSync(writer, 'abc\ndef\n');
  assert.equal(file.spliceBlind(reader, drain.pipeBytes(reader)), true);
  assert.equal(drain.pipeBytes(reader), 0);
  writeSync(writer, 'ghi\njkl\n');
  assert.equal(
    file.spliceBlind(reader, drain.pipeBytes(reader)),
    false,
    'past 12 bytes: it must see the lines',
  );
  assert.equal(drain.pipeBytes(reader), 8, 'nothing was taken');
  const buffer = Buffer.alloc(64);
  file.spliceFrom(reader, buffer.subarray(0, drain.peekPipe(reader, buffer)));
  file.close();
  const rotated = readdirSync(dir).filter((name) => name.startsWith('out.log.'));
  assert.equal(rotated.length, 1);
  assert.equal(readFileSync(join(dir, rotated[0] as string), 'utf8'), 'abc\ndef\nghi\n');
  assert.equal(readFileSync(path, 'utf8'), 'jkl\n');
});

test('spliceToFile moves everything waiting in one call, and tells an empty pipe from its end', {
  skip,
}, () => {
  if (!drain) return;
  const { writer, reader } = openFifo();
  const path = join(dir, 'out.log');
  const file = openSync(path, 'w');
  fds.push(file);
  writeSync(writer, 'one\n');
  writeSync(writer, 'two\n');
  assert.equal(drain.spliceToFile(reader, file, 1024), 8, 'both writes, in one call');
  assert.equal(drain.spliceToFile(reader, file, 1024), -1, 'empty, and a writer is still there');
  fds.splice(fds.indexOf(writer), 1);
  closeSync(writer);
  assert.equal(drain.spliceToFile(reader, file, 1024), 0, 'empty, and no writer is left');
  assert.equal(readFileSync(path, 'utf8'), 'one\ntwo\n');
});

test('a busy pipe is drained by one splice per wake-up, without asking how much waits', {
  skip,
}, () => {
  if (!drain) return;
  const { writer, reader } = openFifo();
  fds.splice(fds.indexOf(reader), 1); // the reader owns it now
  const calls: string[] = [];
  let wake = () => {};
  // The real pipe drain, counted, with wake-ups in the test's hands.
  const counted: PipeDrainHelper = {
    watchReadable: (fd, onReadable) => {
      wake = onReadable;
      return { close: () => closeSync(fd) };
    },
    peekPipe: (fd, buffer) => {
      calls.push('peekPipe');
      return drain.peekPipe(fd, buffer);
    },
    pipeBytes: (fd) => {
      calls.push('pipeBytes');
      return drain.pipeBytes(fd);
    },
    spliceToFile: (pipe, file, length) => {
      calls.push('spliceToFile');
      return drain.spliceToFile(pipe, file, length);
    },
  };
  const path = join(dir, 'out.log');
  const file = new LogFile(path, NO_ROTATION, noHooks, counted);
  let ended = 0;
  new PipeReader(reader, counted, {
    takeBlind: (fd, maxLength) => file.spliceAvailable(fd, maxLength),
    onChunk: (fd, length) => assert.ok(file.spliceBlind(fd, length)),
    onEnd: () => ended++,
  });
  // The first output opens the file (asked how much waits, then moved); after that, blind.
  writeSync(writer, 'one\n');
  wake();
  assert.deepEqual(calls, ['pipeBytes', 'spliceToFile']);
  calls.length = 0;
  for (const text of ['two\n', 'three\n']) writeSync(writer, text);
  wake();
  assert.deepEqual(calls, ['spliceToFile']);
  assert.equal(readFileSync(path, 'utf8'), 'one\ntwo\nthree\n');
  fds.splice(fds.indexOf(writer), 1);
  closeSync(writer);
  wake();
  assert.deepEqual(calls, ['spliceToFile', 'spliceToFile'], 'the end, seen by the splice itself');
  assert.equal(ended, 1);
  file.close();
});

test('a pipe that ends without output opens no log file (a crash on its way to a restart)', {
  skip,
}, () => {
  if (!drain) return;
  const { writer, reader } = openFifo();
  const path = join(dir, 'silent.log');
  const file = new LogFile(path, NO_ROTATION, noHooks, drain);
  fds.splice(fds.indexOf(writer), 1);
  closeSync(writer);
  assert.equal(file.spliceAvailable(reader, 64), null, 'not opened to find the end');
  assert.equal(existsSync(path), false);
  file.close();
});

test('spliceAvailable takes nothing when a rotation could be due within what it may move', {
  skip,
}, () => {
  if (!drain) return;
  const { writer, reader } = openFifo();
  const file = new LogFile(
    join(dir, 'out.log'),
    { maxSizeBytes: 100, keep: 1, compress: false },
    noHooks,
    drain,
  );
  writeSync(writer, 'abc\n');
  assert.ok(file.spliceBlind(reader, 4), 'the first output opens the file');
  writeSync(writer, 'def\n');
  assert.equal(file.spliceAvailable(reader, 64), 4, 'within the limit: moved blind');
  writeSync(writer, 'ghi\n');
  assert.equal(file.spliceAvailable(reader, 93), null, 'past the limit if that many came');
  assert.equal(drain.pipeBytes(reader), 4, 'nothing was taken');
  file.close();
});
