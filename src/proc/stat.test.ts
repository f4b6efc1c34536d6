import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAlive, isInGroup, isSameProcess, readStartTime } from './liveness.js';
import { getBootTimeMs, getStartedAtMs, parseProcStat, readProcStat, UNREADABLE } from './stat.js';

// A line as the kernel writes it, for a command named `a) b (c` (fields 3 onwards as in proc(5)).
const fields = ['S', '41', '42', '43', '0', '-1', '4194560', ...Array(12).fill('0'), '123456', '0'];
const line = (state: string) => `4242 (a) b (c) ${[state, ...fields.slice(1)].join(' ')}`;

test('parses ppid, group, session and start time after a command name with spaces and parentheses', () => {
  assert.deepEqual(parseProcStat(line('S')), { ppid: 41, pgrp: 42, session: 43, startTime: 123456 });
});

test('a zombie or a dead entry is no process', () => {
  assert.equal(parseProcStat(line('Z')), null);
  assert.equal(parseProcStat(line('X')), null);
});

test('a line it cannot make sense of is unreadable, not a dead process', () => {
  assert.equal(parseProcStat('4242 (x) S 1 2'), UNREADABLE);
});

test('reads this very process, and a pid that does not exist as gone', () => {
  const self = readProcStat(process.pid);
  assert.ok(self !== null && self !== UNREADABLE);
  assert.equal(self.ppid, process.ppid);
  assert.equal(readProcStat(2 ** 22 + 1), null);
  assert.ok(isAlive(process.pid));
  assert.equal(isAlive(2 ** 22 + 1), false);
  assert.ok(isSameProcess(process.pid, self.startTime));
  assert.equal(isSameProcess(process.pid, self.startTime + 1), false, 'another start time: a reused pid');
  assert.equal(readStartTime(process.pid), self.startTime);
  assert.ok(isInGroup(process.pid, self.pgrp));
  assert.equal(isInGroup(process.pid, self.pgrp + 1), false);
});

test('start times become wall-clock times through the boot time', () => {
  const self = readProcStat(process.pid);
  assert.ok(self !== null && self !== UNREADABLE);
  const startedAt = getStartedAtMs(self.startTime);
  assert.ok(getBootTimeMs() > 0);
  // btime has a one-second resolution; this process started within the last few minutes.
  assert.ok(
    startedAt <= Date.now() + 1000 && startedAt > Date.now() - 10 * 60_000,
    `started at ${startedAt}`,
  );
});
