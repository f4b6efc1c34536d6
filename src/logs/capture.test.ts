import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { waitFor } from '../../test/e2e/helpers.js';
import { type Clock, nodeClock } from '../clock.js';
import { type LogRecord, OutputCapture } from './capture.js';
import { MAX_LINE_BYTES, PARTIAL_FLUSH_MS } from './line-writer.js';
import { DEFAULT_LOG_OPTIONS, type LogOptions } from './log-options.js';

// OutputCapture with real FIFOs: a child process writes into the write ends it was given, the way a
// managed program does, and the test reads what landed in the files.

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let dir: string;
let captures: OutputCapture[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tend-capture-'));
  captures = [];
});

afterEach(() => {
  for (const capture of captures) {
    capture.detach();
    capture.removeFifos();
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  capture: OutputCapture;
  outPath: string;
  errPath: string;
  console: Buffer[];
  records: LogRecord[];
  eofs: () => number;
  /** Starts a child whose stdout and stderr are the capture's FIFOs; resolves when it has exited. */
  run(argv: string[]): { exited: Promise<number | null> };
}

function createCapture(options: Partial<LogOptions> = {}, clock: Clock = nodeClock): Run {
  const outPath = join(dir, 'app.out.log');
  const errPath = join(dir, 'app.err.log');
  const consoleChunks: Buffer[] = [];
  const records: LogRecord[] = [];
  let eofs = 0;
  const capture = new OutputCapture(
    'app',
    {
      fifo: { out: join(dir, 'app.out.fifo'), err: join(dir, 'app.err.fifo') },
      log: { out: outPath, err: errPath },
    },
    { ...DEFAULT_LOG_OPTIONS, ...options },
    {
      onEof: () => eofs++,
      writeConsole: (data) => consoleChunks.push(Buffer.from(data)),
      onFault: (fault) => assert.fail(`unexpected fault: ${fault.error.message}`),
      onRecover: () => {},
      clock,
    },
  );
  captures.push(capture);
  capture.subscribe((record) => records.push(record));
  return {
    capture,
    outPath,
    errPath,
    console: consoleChunks,
    records,
    eofs: () => eofs,
    run(argv) {
      const fds = capture.openChildFds();
      const [command, ...args] = argv as [string, ...string[]];
      const child = spawn(command, args, { stdio: ['ignore', fds.out, fds.err] });
      capture.releaseChildFds(fds);
      return { exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
    },
  };
}

/** Runs the child to its end and waits until the capture has read both streams to EOF. */
async function runToEnd(run: Run, argv: string[]): Promise<void> {
  const code = await run.run(argv).exited;
  assert.equal(code, 0, 'the child succeeded');
  await waitFor(() => run.eofs() >= 2, 5000, 'EOF on both FIFOs');
}

const sh = (script: string) => ['sh', '-c', script];
const node = (script: string) => [process.execPath, '-e', script];

const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

test('raw output lands in the files byte for byte, partial last line included', async () => {
  const out = Buffer.concat([randomBytes(3 * 1024 * 1024), Buffer.from('no newline at the end')]);
  const err = randomBytes(200_000);
  writeFileSync(join(dir, 'out.bin'), out);
  writeFileSync(join(dir, 'err.bin'), err);
  const run = createCapture();
  await runToEnd(run, sh(`cat '${dir}/out.bin'; cat '${dir}/err.bin' >&2`));
  assert.ok(readFileSync(run.outPath).equals(out), 'stdout is exact');
  assert.ok(readFileSync(run.errPath).equals(err), 'stderr is exact');
});

test('merged streams never tear a line, even when both write pieces of lines at once', async () => {
  const lines = 20_000;
  // No partial-line timer fires here: a writer that a loaded machine pauses for more than 250 ms
  // between the two halves of a line would see its half flushed as a line, by design.
  const noPartialFlush: Clock = { now: () => Date.now(), setTimer: () => ({ cancel() {} }) };
  const run = createCapture({ merge: true }, noPartialFlush);
  // Each line goes out in two writes, with the other stream writing in between.
  await runToEnd(
    run,
    node(`
      const { writeSync } = require('node:fs');
      const pad = 'x'.repeat(80);
      for (let i = 1; i <= ${lines}; i++) {
        writeSync(1, 'out ' + i + ' ' + pad.slice(0, 40));
        writeSync(2, 'err ' + i + ' ' + pad.slice(0, 40));
        writeSync(1, pad.slice(40) + '\\n');
        writeSync(2, pad.slice(40) + '\\n');
      }`),
  );
  assert.equal(existsSync(run.errPath), false, 'nothing goes to a separate stderr file');
  const merged = read(run.outPath).split('\n');
  assert.equal(merged.pop(), '', 'the file ends with a newline');
  assert.equal(merged.length, 2 * lines);
  const next = { out: 1, err: 1 };
  for (const line of merged) {
    const match = /^(out|err) (\d+) x{80}$/.exec(line);
    assert.ok(match, `a torn line: ${JSON.stringify(line.slice(0, 120))}`);
    const stream = match[1] as 'out' | 'err';
    assert.equal(Number(match[2]), next[stream], `${stream} lines in order, none lost or repeated`);
    next[stream]++;
  }
});

/** A clock that stands still at `time` and fires its timers only when the test says so. */
function createManualClock(time: number) {
  const timers: { ms: number; callback: () => void; cancelled: boolean }[] = [];
  const clock: Clock = {
    now: () => time,
    setTimer: (ms, callback) => {
      const timer = { ms, callback, cancelled: false };
      timers.push(timer);
      return { cancel: () => (timer.cancelled = true) };
    },
  };
  const pending = () => timers.filter((timer) => !timer.cancelled);
  const fire = () => {
    for (const timer of pending()) {
      timer.cancelled = true;
      timer.callback();
    }
  };
  return { clock, pending, fire };
}

test('timestamps mode prefixes every line with its ISO time, from the capture clock', async () => {
  const { clock } = createManualClock(Date.parse('2026-03-04T05:06:07.089Z'));
  const run = createCapture({ timestamps: true }, clock);
  await runToEnd(run, sh('echo hello; echo "two  spaces "; echo oops >&2'));
  assert.equal(read(run.outPath), '2026-03-04T05:06:07.089Z hello\n2026-03-04T05:06:07.089Z two  spaces \n');
  assert.equal(read(run.errPath), '2026-03-04T05:06:07.089Z oops\n');
});

test('json mode writes one valid JSON record per line', async () => {
  const run = createCapture({ format: 'json', merge: true });
  await runToEnd(run, sh(`echo 'say "hi"'; echo 'tab\there' >&2; printf 'caf\\303\\251\\n'`));
  const records = read(run.outPath)
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { time: string; stream: string; line: string });
  assert.deepEqual(
    records.map(({ stream, line }) => ({ stream, line })).sort((a, b) => a.line.localeCompare(b.line)),
    [
      { stream: 'out', line: 'café' },
      { stream: 'out', line: 'say "hi"' },
      { stream: 'err', line: 'tab\there' },
    ],
  );
  for (const record of records) {
    assert.deepEqual(Object.keys(record), ['time', 'stream', 'line']);
    assert.match(record.time, ISO_TIME);
  }
});

test(`a partial line is flushed as a line when its ${PARTIAL_FLUSH_MS} ms timer fires in line mode`, async () => {
  const manual = createManualClock(Date.now());
  const run = createCapture({ timestamps: true }, manual.clock);
  const { exited } = run.run(sh("printf 'partial'; sleep 1.5; printf ' rest\\n'"));
  await waitFor(() => manual.pending().length > 0, 1400, 'the partial line to arm its flush timer');
  assert.deepEqual(
    manual.pending().map((timer) => timer.ms),
    [PARTIAL_FLUSH_MS],
  );
  assert.equal(read(run.outPath), '', 'nothing is written before the timer fires');
  manual.fire();
  assert.match(read(run.outPath), /^\S+ partial\n$/, 'written as a whole line, with a newline');
  await exited;
  await waitFor(() => run.eofs() >= 2, 5000, 'EOF');
  assert.match(read(run.outPath), /^\S+ partial\n\S+ {2}rest\n$/);
});

test('a partial line that ends at a flush does not leave an empty line behind', async () => {
  const run = createCapture({ merge: true });
  await runToEnd(run, sh("printf 'first'; sleep 0.5; printf '\\nsecond\\n'"));
  assert.equal(read(run.outPath), 'first\nsecond\n');
});

test('raw mode writes a partial line at once, with nothing added', async () => {
  const run = createCapture();
  const { exited } = run.run(sh("printf 'partial'; sleep 1"));
  await waitFor(() => read(run.outPath) === 'partial', 200, 'the partial bytes to be written at once');
  await exited;
  await waitFor(() => run.eofs() >= 2, 5000, 'EOF');
  assert.equal(read(run.outPath), 'partial');
});

test('a line longer than 64 KB is written completely in raw mode', async () => {
  const long = 'L'.repeat(1024 * 1024);
  writeFileSync(join(dir, 'long.txt'), `${long}\nafter\n`);
  const run = createCapture();
  await runToEnd(run, sh(`cat '${dir}/long.txt'`));
  assert.equal(read(run.outPath), `${long}\nafter\n`);
});

test('a line longer than 64 KB is written completely, in pieces of at least 64 KB, in merged mode', async () => {
  const long = 'L'.repeat(1024 * 1024);
  writeFileSync(join(dir, 'long.txt'), `${long}\nafter\n`);
  const run = createCapture({ merge: true });
  await runToEnd(
    run,
    sh(`cat '${dir}/long.txt' & i=0; while [ $i -lt 200 ]; do echo "err $i" >&2; i=$((i+1)); done; wait`),
  );
  const lines = read(run.outPath).split('\n');
  assert.equal(lines.pop(), '');
  const errLines = lines.filter((line) => line.startsWith('err '));
  assert.deepEqual(
    errLines,
    Array.from({ length: 200 }, (_, index) => `err ${index}`),
    'the other stream is intact',
  );
  const outLines = lines.filter((line) => !line.startsWith('err '));
  assert.equal(outLines.at(-1), 'after');
  const pieces = outLines.slice(0, -1);
  assert.equal(pieces.join(''), long, 'every byte of the long line, in order');
  for (const piece of pieces.slice(0, -1)) {
    assert.match(piece, /^L+$/);
    assert.ok(piece.length >= MAX_LINE_BYTES, `a piece of ${piece.length} bytes`);
  }
});

test('the console target prefixes each line with the program name', async () => {
  const run = createCapture({ out: 'console', err: 'console' });
  await runToEnd(run, sh("echo one; echo two >&2; printf 'three'"));
  const text = Buffer.concat(run.console).toString();
  assert.deepEqual(text.split('\n').sort(), ['', 'app | one', 'app | three', 'app | two']);
  assert.equal(existsSync(run.outPath), false);
});

test('subscribers receive every line as a record with its stream and time', async () => {
  const run = createCapture();
  const before = Date.now();
  await runToEnd(run, sh('i=1; while [ $i -le 500 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done'));
  const byStream = (stream: string) => run.records.filter((record) => record.stream === stream);
  assert.deepEqual(
    byStream('out').map((record) => record.line),
    Array.from({ length: 500 }, (_, index) => `out ${index + 1}`),
  );
  assert.deepEqual(
    byStream('err').map((record) => record.line),
    Array.from({ length: 500 }, (_, index) => `err ${index + 1}`),
  );
  for (const record of run.records) assert.ok(record.time >= before && record.time <= Date.now());
});

test('unsubscribing stops the records', async () => {
  const run = createCapture();
  const seen: LogRecord[] = [];
  const unsubscribe = run.capture.subscribe((record) => seen.push(record));
  unsubscribe();
  await runToEnd(run, sh('echo hello'));
  assert.deepEqual(seen, []);
  assert.equal(run.records.length, 1, 'other subscribers still get theirs');
});

test('a new child after EOF is captured into the same files', async () => {
  const run = createCapture();
  await runToEnd(run, sh('echo first'));
  await run.run(sh('echo second')).exited;
  await waitFor(() => run.eofs() >= 4, 5000, 'EOF of the second child');
  assert.equal(read(run.outPath), 'first\nsecond\n');
});

test('a child started the moment the previous one exits is captured too', async () => {
  const run = createCapture();
  let expected = '';
  for (let round = 1; round <= 20; round++) {
    // No waiting for EOF: the next child gets its fds while the reader may be just seeing the end.
    await run.run(sh(`echo round ${round}`)).exited;
    expected += `round ${round}\n`;
  }
  await waitFor(() => read(run.outPath) === expected, 5000, 'every round in the log');
});
