import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DEFAULT_LOG_OPTIONS, type LogOptions } from './log-options.js';
import {
  getTailWindowBytes,
  MAX_TAIL_WINDOW_BYTES,
  MIN_TAIL_WINDOW_BYTES,
  parseLine,
  readLastLines,
  readTail,
  tailLog,
} from './tail.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tend-tail-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const RAW: LogOptions = DEFAULT_LOG_OPTIONS;
const TIMESTAMPED: LogOptions = { ...DEFAULT_LOG_OPTIONS, timestamps: true };
const JSON_LINES: LogOptions = { ...DEFAULT_LOG_OPTIONS, format: 'json' };

function numbered(from: number, to: number, width = 0): string {
  let text = '';
  for (let index = from; index <= to; index++) text += `line ${index}${'.'.repeat(width)}\n`;
  return text;
}

function writeLog(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('readLastLines', () => {
  test('returns the last lines of a small file, oldest first', () => {
    const path = writeLog('small.log', numbered(1, 10));
    assert.deepEqual(readLastLines(path, 3), ['line 8', 'line 9', 'line 10']);
  });

  test('returns the whole file when it has fewer lines than asked for', () => {
    const path = writeLog('short.log', 'one\ntwo\n');
    assert.deepEqual(readLastLines(path, 10), ['one', 'two']);
  });

  test('returns nothing for zero lines, an empty file or a missing one', () => {
    const path = writeLog('some.log', 'one\n');
    assert.deepEqual(readLastLines(path, 0), []);
    assert.deepEqual(readLastLines(writeLog('empty.log', ''), 5), []);
    assert.deepEqual(readLastLines(join(dir, 'missing.log'), 5), []);
  });

  test('keeps a last line that has no newline yet', () => {
    const path = writeLog('partial.log', 'one\ntwo\nthree, still being writ');
    assert.deepEqual(readLastLines(path, 2), ['two', 'three, still being writ']);
  });

  test('reads a large file from its end, across block boundaries', () => {
    const path = writeLog('large.log', numbered(1, 100_000, 20));
    const lines = readLastLines(path, 5000);
    assert.equal(lines.length, 5000);
    assert.equal(lines[0], `line 95001${'.'.repeat(20)}`);
    assert.equal(lines.at(-1), `line 100000${'.'.repeat(20)}`);
    for (const [index, line] of lines.entries()) assert.equal(line, `line ${95001 + index}${'.'.repeat(20)}`);
  });

  test('a line that straddles a block boundary comes back whole', () => {
    // 64 KiB blocks are read from the end: put one line across the boundary, and a 200 KB line.
    const tail = 'end\n';
    const straddling = `${'s'.repeat(100)}\n`;
    const before = `${'b'.repeat(64 * 1024 - tail.length - 50)}\n`;
    const path = writeLog('straddle.log', `${'x'.repeat(200_000)}\n${before}${straddling}${tail}`);
    assert.deepEqual(readLastLines(path, 3), [before.trimEnd(), straddling.trimEnd(), 'end']);
    assert.deepEqual(readLastLines(path, 4)[0], 'x'.repeat(200_000));
  });

  test('a file without a newline is read no further back than the window', () => {
    const path = writeLog('no-newline.log', 'N'.repeat(3 * MIN_TAIL_WINDOW_BYTES));
    const { lines, reachedStart } = readTail(path, 5, MIN_TAIL_WINDOW_BYTES);
    assert.equal(reachedStart, false);
    assert.deepEqual(
      lines.map((line) => line.length),
      [MIN_TAIL_WINDOW_BYTES],
    );
    assert.equal(readLastLines(path, 5)[0]?.length, getTailWindowBytes(5));
  });

  test('a line cut by the window is left out when whole lines follow it', () => {
    const path = writeLog('long-then-short.log', `${'L'.repeat(2000)}\nshort 1\nshort 2\n`);
    assert.deepEqual(readTail(path, 5, 1000), { lines: ['short 1', 'short 2'], reachedStart: false });
  });

  test('multi-byte characters cut by a block boundary are decoded intact', () => {
    // "é" is 2 bytes and "😀" 4; the boundary 64 KiB before the end falls 25529 bytes (odd) into the é's.
    const line = `${'é'.repeat(20_000)}${'😀'.repeat(10_000)}`;
    const path = writeLog('utf8.log', `first\n${line}\nlast!\n`);
    const lines = readLastLines(path, 3);
    assert.deepEqual(lines, ['first', line, 'last!']);
  });
});

describe('parseLine', () => {
  test('a raw line has no time and keeps its stream', () => {
    assert.deepEqual(parseLine('2026-11-21T16:40:05.007Z hello', 'err', RAW), {
      time: null,
      stream: 'err',
      line: '2026-11-21T16:40:05.007Z hello',
    });
  });

  test('a timestamped line gives its time and the text after the stamp', () => {
    assert.deepEqual(parseLine('2026-11-21T16:40:05.007Z hello  world ', 'out', TIMESTAMPED), {
      time: Date.UTC(2026, 10, 21, 16, 40, 5, 7),
      stream: 'out',
      line: 'hello  world ',
    });
    assert.deepEqual(parseLine('2026-11-21T16:40:05.007Z ', 'out', TIMESTAMPED).line, '');
  });

  test('a line without a stamp in a timestamped log is kept as it is', () => {
    assert.deepEqual(parseLine('no stamp here', 'out', TIMESTAMPED), {
      time: null,
      stream: 'out',
      line: 'no stamp here',
    });
  });

  test('a JSON line gives its time, stream and line', () => {
    const json = JSON.stringify({ time: '2026-11-21T16:40:05.007Z', stream: 'err', line: 'a "quoted" line' });
    assert.deepEqual(parseLine(json, 'out', JSON_LINES), {
      time: Date.UTC(2026, 10, 21, 16, 40, 5, 7),
      stream: 'err',
      line: 'a "quoted" line',
    });
  });

  test('a broken JSON line is kept as raw text', () => {
    assert.deepEqual(parseLine('{"time": "2026', 'out', JSON_LINES), {
      time: null,
      stream: 'out',
      line: '{"time": "2026',
    });
  });
});

describe('tailLog', () => {
  test('does not read older files past a window that ran out (there would be a gap)', () => {
    const path = writeLog('web.out.log', 'N'.repeat(2 * getTailWindowBytes(5)));
    writeLog('web.out.log.000001.20261121-164005-006', 'older\n');
    const records = tailLog(path, 'out', RAW, 5, null);
    assert.deepEqual(
      records.map((record) => record.line.length),
      [getTailWindowBytes(5)],
    );
    assert.ok(getTailWindowBytes(1_000_000) <= MAX_TAIL_WINDOW_BYTES);
  });

  test('reads older rotated files when the current one is short', () => {
    const path = join(dir, 'web.out.log');
    writeLog('web.out.log.20261121-164005-007', numbered(1, 10));
    writeLog('web.out.log.20261121-164005-007-1', numbered(11, 20));
    writeLog('web.out.log', numbered(21, 23));
    const records = tailLog(path, 'out', RAW, 15, null);
    assert.deepEqual(
      records.map((record) => record.line),
      numbered(9, 23).trimEnd().split('\n'),
    );
    assert.ok(records.every((record) => record.stream === 'out' && record.time === null));
  });

  test('skips compressed rotated files', () => {
    const path = join(dir, 'web.out.log');
    writeLog('web.out.log.20261121-164005-006.gz', 'not text');
    writeLog('web.out.log.20261121-164005-007', numbered(1, 2));
    writeLog('web.out.log', numbered(3, 3));
    assert.deepEqual(
      tailLog(path, 'out', RAW, 100, null).map((record) => record.line),
      ['line 1', 'line 2', 'line 3'],
    );
  });

  test('reads rotated files even when the current file is gone', () => {
    const path = join(dir, 'web.err.log');
    writeLog('web.err.log.20261121-164005-007', numbered(1, 3));
    assert.deepEqual(
      tailLog(path, 'err', RAW, 2, null).map((record) => record.line),
      ['line 2', 'line 3'],
    );
  });

  test('since leaves out timestamped lines older than it', () => {
    const path = join(dir, 'web.out.log');
    const now = Date.now();
    const stamp = (ago: number) => new Date(now - ago).toISOString();
    writeLog('web.out.log.20261121-164005-007', `${stamp(60_000)} old rotated\n${stamp(5000)} new rotated\n`);
    writeLog('web.out.log', `${stamp(4000)} newer\n${stamp(1000)} newest\n`);
    const records = tailLog(path, 'out', TIMESTAMPED, 100, now - 10_000);
    assert.deepEqual(
      records.map((record) => record.line),
      ['new rotated', 'newer', 'newest'],
    );
    assert.equal(records[0]?.time, now - 5000);
  });

  test('since skips rotated files last modified before it', () => {
    const path = join(dir, 'web.out.log');
    const old = writeLog('web.out.log.20261121-164005-007', 'old raw line\n');
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(old, longAgo, longAgo);
    writeLog('web.out.log', 'recent raw line\n');
    assert.deepEqual(
      tailLog(path, 'out', RAW, 100, Date.now() - 60_000).map((record) => record.line),
      ['recent raw line'],
    );
  });

  test('parses JSON lines of a log', () => {
    const path = join(dir, 'web.out.log');
    const time = '2026-11-21T16:40:05.007Z';
    writeLog(
      'web.out.log',
      `${JSON.stringify({ time, stream: 'out', line: 'to stdout' })}\n${JSON.stringify({ time, stream: 'err', line: 'to stderr' })}\n`,
    );
    assert.deepEqual(tailLog(path, 'out', JSON_LINES, 10, null), [
      { time: Date.parse(time), stream: 'out', line: 'to stdout' },
      { time: Date.parse(time), stream: 'err', line: 'to stderr' },
    ]);
  });
});

test('a FIFO or a symlink in a log file’s place is not read (a FIFO would block the daemon)', () => {
  const fifo = join(dir, 'app.out.log');
  execFileSync('mkfifo', [fifo]);
  assert.deepEqual(readLastLines(fifo, 5), []);
  const secret = join(dir, 'secret');
  writeFileSync(secret, 'not for the log\n');
  const link = join(dir, 'link.out.log');
  symlinkSync(secret, link);
  assert.deepEqual(readLastLines(link, 5), []);
  writeFileSync(join(dir, 'real.out.log'), 'a\nb\n');
  assert.deepEqual(readLastLines(join(dir, 'real.out.log'), 5), ['a', 'b']);
});
