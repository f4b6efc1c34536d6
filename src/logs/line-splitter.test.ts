import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from './line-splitter.js';

function collect(splitter: LineSplitter, chunks: string[]): string[] {
  const lines: string[] = [];
  for (const chunk of chunks) splitter.push(Buffer.from(chunk), (line) => lines.push(line.toString()));
  return lines;
}

test('splits one chunk into its complete lines without their newlines', () => {
  const splitter = new LineSplitter();
  assert.deepEqual(collect(splitter, ['one\ntwo\n\nthree\n']), ['one', 'two', '', 'three']);
  assert.equal(splitter.partialLength, 0);
  assert.equal(splitter.takePartial(), null);
});

test('joins a line that arrives across several chunks', () => {
  const splitter = new LineSplitter();
  assert.deepEqual(collect(splitter, ['al', 'pha', '\nbe', 'ta\ngam', 'ma\n']), ['alpha', 'beta', 'gamma']);
  assert.equal(splitter.partialLength, 0);
});

test('a chunk that is only a newline ends the partial line', () => {
  const splitter = new LineSplitter();
  assert.deepEqual(collect(splitter, ['abc', '\n', '\n']), ['abc', '']);
});

test('hands out complete lines as views into the chunk, not copies', () => {
  const splitter = new LineSplitter();
  const chunk = Buffer.from('first\nsecond\n');
  const lines: Buffer[] = [];
  splitter.push(chunk, (line) => lines.push(line));
  assert.equal(lines.length, 2);
  for (const line of lines) assert.equal(line.buffer, chunk.buffer, 'the line shares the chunk memory');
  assert.equal(lines[0]?.byteOffset, chunk.byteOffset);
  assert.equal(lines[1]?.byteOffset, chunk.byteOffset + 'first\n'.length);
});

test('keeps a trailing partial line and counts its bytes', () => {
  const splitter = new LineSplitter();
  assert.deepEqual(collect(splitter, ['done\npart', 'ial']), ['done']);
  assert.equal(splitter.partialLength, 'partial'.length);
});

test('takePartial hands out the partial line once and forgets it', () => {
  const splitter = new LineSplitter();
  collect(splitter, ['x\nhalf', ' a line']);
  assert.equal(splitter.takePartial()?.toString(), 'half a line');
  assert.equal(splitter.partialLength, 0);
  assert.equal(splitter.takePartial(), null);
  assert.deepEqual(collect(splitter, ['next\n']), ['next'], 'nothing of the taken partial comes back');
});

test('splits many random chunkings of the same text into the same lines', () => {
  const text = Array.from({ length: 500 }, (_, index) => `line ${index} ${'x'.repeat(index % 37)}`).join(
    '\n',
  );
  const expected = text.split('\n');
  const last = expected.pop();
  for (let round = 0; round < 20; round++) {
    const splitter = new LineSplitter();
    const chunks: string[] = [];
    for (let start = 0; start < text.length; ) {
      const size = 1 + Math.floor(Math.random() * 300);
      chunks.push(text.slice(start, start + size));
      start += size;
    }
    assert.deepEqual(collect(splitter, chunks), expected);
    assert.equal(splitter.takePartial()?.toString(), last);
  }
});

test('a partial line survives the reuse of the memory it was read into', () => {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  const read = Buffer.from('one\ntw');
  splitter.push(read, (line) => lines.push(line.toString()));
  read.write('XXXXXX'); // the next read lands in the same buffer
  splitter.push(Buffer.from('o\n'), (line) => lines.push(line.toString()));
  assert.deepEqual(lines, ['one', 'two']);
});
