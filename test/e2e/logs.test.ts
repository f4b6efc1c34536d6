import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type TestContext, test } from 'node:test';
import {
  createTendHome,
  fixture,
  getEvents,
  getProgram,
  isAlive,
  killDaemon,
  ROOT,
  readLog,
  type TendHome,
  waitFor,
  waitForProgram,
} from './helpers.js';

// Capture, rotation, reading and faults of program logs, through the real CLI and daemon.

const TEND_BIN = join(ROOT, 'bin', 'tend.js');
const LINE_BYTES = 100;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ROTATED_SUFFIX = /^\.(\d{6,})\.\d{8}-\d{6}-\d{3}$/;

interface LogLine {
  time: string | null;
  program: string;
  stream: 'out' | 'err';
  line: string;
}

interface ProgramDetail {
  logs: {
    out: string;
    err: string;
    faults: { path: string; error: string; droppedBytes: number; since: string }[];
  };
}

/** A long-running `tend` (logs -f, daemon run) whose output is collected; killed after the test if still alive. */
function spawnTend(t: TestContext, h: TendHome, args: string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [TEND_BIN, ...args], {
    cwd: h.home,
    env: { ...process.env, NO_COLOR: '1', TEND_HOME: h.home },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    /** Complete lines printed so far. */
    lines: () => stdout.split('\n').slice(0, -1),
  };
}

/** Rotated files of a log, oldest first (by their sequence number), then the log itself. */
function listHistory(path: string): string[] {
  const name = basename(path);
  const rotated: { file: string; key: number }[] = [];
  for (const entry of existsSync(dirname(path)) ? readdirSync(dirname(path)) : []) {
    const match = entry.startsWith(name) ? ROTATED_SUFFIX.exec(entry.slice(name.length)) : null;
    if (match)
      rotated.push({
        file: join(dirname(path), entry),
        key: Number(match[1]),
      });
  }
  rotated.sort((a, b) => a.key - b.key);
  return [...rotated.map((entry) => entry.file), ...(existsSync(path) ? [path] : [])];
}

function getHistorySize(path: string): number {
  let total = 0;
  for (const file of listHistory(path)) {
    try {
      total += statSync(file).size;
    } catch {
      // rotated away or pruned meanwhile; the next poll sees it under its new name
    }
  }
  return total;
}

const numberedLine = (stream: 'out' | 'err', index: number) =>
  `${stream} ${String(index).padStart(8, '0')} ${'x'.repeat(86)}`;

test('numbered lines across many rotations: none lost, duplicated or split; logs -n reads the last ones', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const count = 200_000;
  const started = await h.tend([
    'start',
    '--name',
    'num',
    '--log-max-size',
    '256KB',
    '--log-keep',
    '1000',
    '--',
    fixture('log-numbered.sh'),
    String(count),
  ]);
  assert.equal(started.code, 0, started.stderr);
  const outLog = join(h.home, 'logs', 'num.out.log');
  await waitFor(() => getHistorySize(outLog) >= count * LINE_BYTES, 30_000, 'every line to reach the log');

  const files = listHistory(outLog);
  assert.ok(files.length > 60, `expected about 76 files, got ${files.length}`);
  const contents = files.map((file) => readFileSync(file, 'latin1'));
  for (const [index, content] of contents.entries()) {
    assert.ok(content.endsWith('\n'), `${basename(files[index] as string)} ends at a line boundary`);
    assert.ok(content.length <= 256 * 1024 + LINE_BYTES, `${basename(files[index] as string)} is ~256 KB`);
  }
  const lines = contents.join('').split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, count);
  for (const [index, line] of lines.entries()) {
    if (line !== numberedLine('out', index + 1)) {
      assert.fail(`line ${index + 1} is "${line.slice(0, 20)}…" after "${lines[index - 1]?.slice(0, 20)}…"`);
    }
  }

  const last = await h.tend(['logs', 'num', '-n', '5']);
  assert.equal(last.code, 0, last.stderr);
  assert.deepEqual(
    last.stdout.split('\n').slice(0, -1),
    [199_996, 199_997, 199_998, 199_999, 200_000].map((index) => numberedLine('out', index)),
  );

  // More lines than the current file holds: read on into the rotated ones.
  const json = await h.tend(['logs', 'num', '-n', '5000', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const records = json.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as LogLine);
  assert.equal(records.length, 5000);
  for (const [index, record] of records.entries()) {
    assert.deepEqual(record, {
      time: null,
      program: 'num',
      stream: 'out',
      line: numberedLine('out', 195_001 + index),
    });
  }
});

test('raw output moves from FIFO to file by splice: the daemon itself reads almost none of it', async (t) => {
  if (!existsSync(join(ROOT, 'build', 'Release', 'tend_native.node'))) {
    t.skip('the native helper is not built here (its fallback reads and writes every byte)');
    return;
  }
  const h = await createTendHome();
  t.after(h.cleanup);
  const go = join(h.home, 'go');
  const totalBytes = 20_000_000;
  // Waits for the go file, writes 20 MB of lines (no rotation due: 100 MB limit), then idles.
  const script = `while [ ! -e ${go} ]; do sleep 0.05; done; yes ${'x'.repeat(LINE_BYTES - 1)} | head -c ${totalBytes}; exec sleep 1000`;
  const started = await h.tend(['start', '--name', 'big', '--log-max-size', '100MB', '--', script]);
  assert.equal(started.code, 0, started.stderr);
  const { pid } = await h.tendJson<{ pid: number }>(['daemon', 'status']);
  const readBytes = () => Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
  const before = readBytes();
  writeFileSync(go, '');
  const outLog = join(h.home, 'logs', 'big.out.log');
  await waitFor(
    () => existsSync(outLog) && statSync(outLog).size === totalBytes,
    20_000,
    'all 20 MB in the file',
  );
  const read = readBytes() - before;
  // read(2) + write(2) would read every byte through the daemon; splice(2) moves them in the kernel.
  assert.ok(read < totalBytes / 10, `the daemon read ${read} bytes itself for ${totalBytes} bytes of log`);
});

test('merged streams under heavy concurrent writes never tear a line', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const count = 50_000;
  const started = await h.tend([
    'start',
    '--name',
    'both',
    '--merge-logs',
    '--log-max-size',
    '1MB',
    '--log-keep',
    '100',
    '--',
    fixture('log-numbered.sh'),
    String(count),
    'both',
  ]);
  assert.equal(started.code, 0, started.stderr);
  const outLog = join(h.home, 'logs', 'both.out.log');
  await waitFor(
    () => getHistorySize(outLog) >= 2 * count * LINE_BYTES,
    30_000,
    'every line to reach the log',
  );
  assert.equal(existsSync(join(h.home, 'logs', 'both.err.log')), false, 'stderr has no file of its own');

  const lines = listHistory(outLog)
    .map((file) => readFileSync(file, 'latin1'))
    .join('')
    .split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, 2 * count);
  const next = { out: 1, err: 1 };
  let switches = 0;
  let previous = '';
  for (const line of lines) {
    const stream = line.slice(0, 3) as 'out' | 'err';
    if (line !== numberedLine(stream, next[stream])) {
      assert.fail(
        `a torn, lost or repeated line: "${line.slice(0, 40)}…" where ${stream} ${next[stream]} was due`,
      );
    }
    next[stream]++;
    if (stream !== previous) switches++;
    previous = stream;
  }
  assert.ok(switches > 2, `both streams were written at the same time (${switches} switches)`);
});

test('--log-timestamps and --log-json write their formats; logs reads them back with times', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const before = Date.now();
  for (const [name, flag] of [
    ['stamped', '--log-timestamps'],
    ['jsonl', '--log-json'],
  ] as const) {
    const started = await h.tend([
      'start',
      '--name',
      name,
      flag,
      '--',
      fixture('log-numbered.sh'),
      '3',
      'both',
    ]);
    assert.equal(started.code, 0, started.stderr);
  }
  for (const name of ['stamped', 'jsonl']) {
    for (const stream of ['out', 'err'] as const) {
      await waitFor(
        async () => (await readLog(h.home, name, stream)).split('\n').length === 4,
        10_000,
        `${name} to write its three ${stream} lines`,
      );
    }
  }
  const after = Date.now();
  const isRecent = (time: string) => Date.parse(time) >= before && Date.parse(time) <= after;

  for (const stream of ['out', 'err'] as const) {
    const lines = (await readLog(h.home, 'stamped', stream)).split('\n').slice(0, -1);
    assert.equal(lines.length, 3);
    for (const [index, line] of lines.entries()) {
      const stamp = line.slice(0, 24);
      assert.match(stamp, ISO_TIME);
      assert.ok(isRecent(stamp), `${stamp} is when the line was captured`);
      assert.equal(line.slice(24), ` ${numberedLine(stream, index + 1)}`);
    }
    const records = (await readLog(h.home, 'jsonl', stream))
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as { time: string; stream: string; line: string });
    assert.deepEqual(
      records.map((record) => Object.keys(record)),
      [0, 1, 2].map(() => ['time', 'stream', 'line']),
    );
    assert.deepEqual(
      records.map((record) => [record.stream, record.line]),
      [1, 2, 3].map((index) => [stream, numberedLine(stream, index)]),
    );
    for (const record of records) assert.ok(isRecent(record.time));
  }

  for (const name of ['stamped', 'jsonl']) {
    const read = await h.tend(['logs', name, '-n', '10', '--json']);
    assert.equal(read.code, 0, read.stderr);
    const records = read.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as LogLine);
    assert.equal(records.length, 6);
    for (const record of records) {
      assert.equal(record.program, name);
      assert.ok(record.time !== null && isRecent(record.time), `${name}: the time is read from the log`);
      assert.equal(record.line, numberedLine(record.stream, Number(record.line.slice(4, 12))));
    }
    const times = records.map((record) => Date.parse(record.time as string));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'ordered by time',
    );
  }

  const all = await h.tend(['logs', 'all', '-n', '3', '--out']);
  assert.equal(all.code, 0, all.stderr);
  const printed = all.stdout.split('\n').slice(0, -1);
  assert.deepEqual(
    printed.map((line) => line.replace(/ out 0+(\d) x+$/, ' $1')).sort(),
    ['jsonl | 1', 'jsonl | 2', 'jsonl | 3', 'stamped | 1', 'stamped | 2', 'stamped | 3'],
    'each line prefixed with its program',
  );
});

test('--since leaves out lines older than the duration', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--name',
    'late',
    '--log-timestamps',
    '--',
    'echo early; sleep 2.5; echo late; exec sleep 1000',
  ]);
  assert.equal(started.code, 0, started.stderr);
  await waitFor(
    async () => (await readLog(h.home, 'late', 'out')).includes(' late\n'),
    10_000,
    'the late line',
  );
  const recent = await h.tend(['logs', 'late', '--since', '1500ms']);
  assert.equal(recent.code, 0, recent.stderr);
  assert.equal(recent.stdout, 'late\n');
  const all = await h.tend(['logs', 'late', '--since', '1m']);
  assert.equal(all.stdout, 'early\nlate\n');
  const bad = await h.tend(['logs', 'late', '--since', 'soon']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--since expects a duration/);
});

test('logs -f keeps printing across a rotation and a restart, and exits 0 on SIGINT', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--name',
    'tick',
    '--log-max-size',
    '32KB',
    '--log-keep',
    '100',
    '--',
    process.execPath,
    fixture('log-ticker.js'),
  ]);
  assert.equal(started.code, 0, started.stderr);
  const first = await waitForProgram(h, 'tick', (row) => row.pid !== null, 5000, 'a pid');
  const outLog = join(h.home, 'logs', 'tick.out.log');
  await waitFor(() => existsSync(outLog), 5000, 'the log');

  const follow = spawnTend(t, h, ['logs', 'tick', '-f', '-n', '10']);
  await waitFor(() => follow.lines().length >= 100, 10_000, 'followed lines');
  const rotatedBefore = listHistory(outLog).length;
  await waitFor(
    () => listHistory(outLog).length >= rotatedBefore + 2,
    10_000,
    'two rotations while following',
  );
  const printedAtRotation = follow.lines().length;
  await waitFor(() => follow.lines().length >= printedAtRotation + 200, 10_000, 'lines after the rotation');

  const restarted = await h.tend(['restart', 'tick']);
  assert.equal(restarted.code, 0, restarted.stderr);
  const second = await waitForProgram(
    h,
    'tick',
    (row) => row.pid !== null && row.pid !== first.pid && row.state === 'running',
    10_000,
    'running again with a new pid',
  );
  await waitFor(
    () => follow.lines().filter((line) => line.startsWith(`${second.pid} `)).length >= 100,
    10_000,
    'lines of the restarted program',
  );

  follow.child.kill('SIGINT');
  const exit = await follow.exited;
  assert.deepEqual(exit, { code: 0, signal: null }, follow.stderr());

  // Every line of each run, in order: the 10 tail lines, then live ones, with no gap or repeat.
  const byPid = new Map<string, number[]>();
  for (const line of follow.lines()) {
    const match = /^(\d+) (\d+) \.{50}$/.exec(line);
    assert.ok(match, `an unexpected line: ${line}`);
    const numbers = byPid.get(match[1] as string) ?? [];
    numbers.push(Number(match[2]));
    byPid.set(match[1] as string, numbers);
  }
  assert.deepEqual([...byPid.keys()], [String(first.pid), String(second.pid)]);
  for (const numbers of byPid.values()) {
    for (let index = 1; index < numbers.length; index++) {
      assert.equal(numbers[index], (numbers[index - 1] as number) + 1, `no gap after ${numbers[index - 1]}`);
    }
  }
  assert.equal(byPid.get(String(second.pid))?.[0], 1, 'the restarted run is followed from its first line');
});

test('logs -f resumes across a daemon restart and a daemon SIGKILL from where it was: every line once, in order', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend(['start', '--name', 'tick', '--', process.execPath, fixture('log-ticker.js')]);
  assert.equal(started.code, 0, started.stderr);
  const program = await waitForProgram(h, 'tick', (row) => row.pid !== null, 5000, 'a pid');
  await waitFor(() => existsSync(join(h.home, 'logs', 'tick.out.log')), 5000, 'the log');

  const follow = spawnTend(t, h, ['logs', 'tick', '-f', '-n', '0']);
  const seen = (more: number) => {
    const target = follow.lines().length + more;
    return waitFor(() => follow.lines().length >= target, 15_000, `${more} more followed lines`);
  };
  await seen(200);
  const restarted = await h.tend(['daemon', 'restart']);
  assert.equal(restarted.code, 0, restarted.stderr);
  await seen(2000);
  await killDaemon(h);
  // While no daemon reads, the ticker fills its pipe and waits: those lines reach the file later.
  const revived = await h.tend(['daemon', 'start']);
  assert.equal(revived.code, 0, revived.stderr);
  await seen(2000);
  follow.child.kill('SIGINT');
  assert.deepEqual(await follow.exited, { code: 0, signal: null }, follow.stderr());

  const numbers = follow.lines().map((line) => {
    const match = /^(\d+) (\d+) \.{50}$/.exec(line);
    assert.ok(match, `an unexpected line: ${line}`);
    assert.equal(match[1], String(program.pid), 'the same run throughout (adopted, not restarted)');
    return Number(match[2]);
  });
  const first = numbers[0] as number;
  const expected = numbers.map((_, index) => first + index);
  const wrong = numbers.findIndex((number, index) => number !== expected[index]);
  assert.equal(
    wrong,
    -1,
    `line ${expected[wrong]} expected, got ${numbers[wrong]} (after ${numbers[wrong - 1]})`,
  );
});

test('a follower that reads slower than the program writes gets {"dropped":N} for what it missed, never silence', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const [go, last] = [join(h.home, 'go'), join(h.home, 'last')];
  const total = 300_000;
  const script = `echo hello; while [ ! -e ${go} ]; do sleep 0.05; done; seq 1 ${total}; while [ ! -e ${last} ]; do sleep 0.05; done; echo last; exec sleep 1000`;
  assert.equal((await h.tend(['start', '--name', 'flood', '--', script])).code, 0);
  const follower = spawnTend(t, h, ['logs', 'flood', '-f', '-n', '1', '--json']);
  await waitFor(() => follower.lines().length === 1, 5000, 'the follower to print the first line');
  // The follower stops reading: its pipe, then its socket, then the daemon's buffer fill up.
  follower.child.stdout.pause();
  writeFileSync(go, '');
  const outLog = join(h.home, 'logs', 'flood.out.log');
  await waitFor(
    () => readFileSync(outLog, 'utf8').endsWith(`\n${total}\n`),
    20_000,
    'the whole flood in the file',
  );
  follower.child.stdout.resume();
  // Told as soon as it has caught up, though the program writes nothing more for now.
  await waitFor(() => follower.lines().some((line) => line.startsWith('{"dropped":')), 20_000, 'the notice');
  writeFileSync(last, '');
  await waitFor(
    () => follower.lines().some((line) => line.includes('"line":"last"')),
    20_000,
    'the last line',
  );

  const records = follower.lines().map((line) => JSON.parse(line) as { line?: string; dropped?: number });
  const dropped = records.reduce((sum, record) => sum + (record.dropped ?? 0), 0);
  const numbers = records.flatMap((record) =>
    record.line && /^\d+$/.test(record.line) ? [Number(record.line)] : [],
  );
  assert.ok(dropped > 0, 'the slow follower was told it missed lines');
  assert.equal(numbers.length + dropped, total, 'every line was either printed or counted as dropped');
  assert.deepEqual(
    numbers,
    [...numbers].sort((a, b) => a - b),
    'and what was printed is in order',
  );
  follower.child.kill('SIGINT');
  await follower.exited;
});

test('flush empties the log and deletes rotated files; writing goes on', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--name',
    'chatty',
    '--log-max-size',
    '20KB',
    '--log-keep',
    '100',
    '--',
    fixture('log-numbered.sh'),
    '2000',
  ]);
  assert.equal(started.code, 0, started.stderr);
  const outLog = join(h.home, 'logs', 'chatty.out.log');
  await waitFor(
    () => readLog(h.home, 'chatty', 'out').then((text) => text.endsWith(`${numberedLine('out', 2000)}\n`)),
    10_000,
    'all lines',
  );
  assert.ok(listHistory(outLog).length > 1, 'it has rotated');

  const flushed = await h.tend(['flush', 'chatty']);
  assert.equal(flushed.code, 0, flushed.stderr);
  assert.match(flushed.stdout, new RegExp(`^emptied ${outLog}$`, 'm'));
  assert.equal(statSync(outLog).size, 0);
  assert.deepEqual(listHistory(outLog), [outLog], 'rotated files are gone');
  const after = await h.tend(['logs', 'chatty']);
  assert.equal(after.stdout, '');

  const { pid } = await getProgram(h, 'chatty');
  assert.ok(pid !== null && isAlive(pid), 'the program is untouched');
  const restarted = await h.tend(['restart', 'chatty']);
  assert.equal(restarted.code, 0, restarted.stderr);
  await waitFor(() => getHistorySize(outLog) >= 2000 * LINE_BYTES, 10_000, 'the new run to write its lines');
  const text = listHistory(outLog)
    .map((file) => readFileSync(file, 'latin1'))
    .join('');
  assert.equal(
    text,
    Array.from({ length: 2000 }, (_, index) => `${numberedLine('out', index + 1)}\n`).join(''),
  );
});

test('--out-log /dev/full: the program keeps running, the fault is shown and the dropped bytes counted', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--name',
    'full',
    '--out-log',
    '/dev/full',
    '--',
    process.execPath,
    fixture('log-ticker.js'),
  ]);
  assert.equal(started.code, 0, started.stderr);
  const running = await waitForProgram(h, 'full', (row) => row.state === 'running', 5000, 'running');

  const fault = await waitFor(
    async () => (await h.tendJson<ProgramDetail>(['show', 'full'])).logs.faults[0],
    5000,
    'a fault in show',
  );
  assert.equal(fault.path, '/dev/full');
  assert.equal(fault.error, 'ENOSPC');
  assert.ok(fault.droppedBytes > 0);
  assert.ok(!Number.isNaN(Date.parse(fault.since)));
  await waitFor(
    async () =>
      ((await h.tendJson<ProgramDetail>(['show', 'full'])).logs.faults[0]?.droppedBytes ?? 0) >
      fault.droppedBytes + 10_000,
    5000,
    'the dropped bytes to grow',
  );

  const row = await getProgram(h, 'full');
  assert.equal(row.state, 'running');
  assert.equal(row.pid, running.pid, 'the same process, never restarted');
  assert.ok(row.pid !== null && isAlive(row.pid));
  const faults = (await getEvents(h, 'full')).filter((event) => event.event === 'log-fault');
  assert.equal(faults.length, 1, 'one event, not one per write');
  assert.match(faults[0]?.message ?? '', /\/dev\/full.*ENOSPC/);
  const table = await h.tend(['show', 'full']);
  assert.match(table.stdout, /\/dev\/full: ENOSPC since .*bytes dropped/);
});

test('a log directory removed under a running program is re-created and writing resumes', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend(['start', '--name', 'tick', '--', process.execPath, fixture('log-ticker.js')]);
  assert.equal(started.code, 0, started.stderr);
  const { pid } = await waitForProgram(h, 'tick', (row) => row.state === 'running', 5000, 'running');
  const outLog = join(h.home, 'logs', 'tick.out.log');
  await waitFor(() => existsSync(outLog) && statSync(outLog).size > 10_000, 5000, 'lines in the log');

  rmSync(join(h.home, 'logs'), { recursive: true });
  await waitFor(
    () => existsSync(outLog) && statSync(outLog).size > 10_000,
    5000,
    'the log to be re-created and grow',
  );
  const lines = readFileSync(outLog, 'utf8').split('\n').slice(0, -1);
  const numbers = lines.map((line) => Number(/^\d+ (\d+) \.{50}$/.exec(line)?.[1]));
  for (let index = 1; index < numbers.length; index++)
    assert.equal(numbers[index], (numbers[index - 1] as number) + 1);

  const events = await waitFor(
    async () => {
      const found = (await getEvents(h, 'tick')).filter((event) => event.event.startsWith('log-'));
      return found.length >= 2 ? found : null;
    },
    5000,
    'the log events',
  );
  assert.deepEqual(
    events.map((event) => event.event),
    ['log-fault', 'log-recovered'],
  );
  assert.match(events[0]?.message ?? '', new RegExp(`${outLog}.*ENOENT`));
  assert.match(events[1]?.message ?? '', new RegExp(`writing ${outLog} again`));
  const detail = await h.tendJson<ProgramDetail>(['show', 'tick']);
  assert.deepEqual(detail.logs.faults, [], 'no fault left once recovered');
  const row = await getProgram(h, 'tick');
  assert.equal(row.pid, pid, 'the program kept running');
});

test('--out-log console under daemon run prints "NAME | line" on the daemon stdout', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const daemon = spawnTend(t, h, ['daemon', 'run']);
  await waitFor(() => daemon.stdout().includes('listening on'), 10_000, 'the daemon to listen');
  const started = await h.tend([
    'start',
    '--name',
    'con',
    '--out-log',
    'console',
    '--',
    fixture('log-numbered.sh'),
    '3',
    'both',
  ]);
  assert.equal(started.code, 0, started.stderr);
  await waitFor(
    () => daemon.stdout().includes(`con | ${numberedLine('out', 3)}\n`),
    5000,
    'the lines on stdout',
  );
  const printed = daemon.lines().filter((line) => line.startsWith('con | '));
  assert.deepEqual(
    printed,
    [1, 2, 3].map((index) => `con | ${numberedLine('out', index)}`),
  );
  assert.equal(existsSync(join(h.home, 'logs', 'con.out.log')), false, 'no file for stdout');
  await waitFor(
    async () => (await readLog(h.home, 'con', 'err')).endsWith(`${numberedLine('err', 3)}\n`),
    5000,
    'stderr in its file',
  );
  const { pid } = await getProgram(h, 'con');

  daemon.child.kill('SIGTERM');
  const exit = await Promise.race([
    daemon.exited,
    new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000)),
  ]);
  assert.deepEqual(exit, { code: 0, signal: null }, daemon.stderr());
  assert.ok(pid !== null && !isAlive(pid), 'the program was stopped with the daemon');
});

test('a python3 child gets PYTHONUNBUFFERED=1, so print() lines arrive without a flush', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend(['start', '--name', 'py', '--', 'python3', fixture('log-python.py')]);
  assert.equal(started.code, 0, started.stderr);
  await waitFor(
    async () => (await readLog(h.home, 'py', 'out')) === 'PYTHONUNBUFFERED=1\nhello from python\n',
    5000,
    'the lines while python sleeps',
  );
  const own = await h.tend([
    'start',
    '--name',
    'py-own',
    '-e',
    'PYTHONUNBUFFERED=yes',
    '--',
    'python3',
    fixture('log-python.py'),
  ]);
  assert.equal(own.code, 0, own.stderr);
  await waitFor(
    async () => (await readLog(h.home, 'py-own', 'out')).startsWith('PYTHONUNBUFFERED=yes\n'),
    5000,
    'its own value, kept',
  );
});
