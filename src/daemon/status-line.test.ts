import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProgramSnapshot, State } from '../program-record.js';
import { createStatusReporter, getStatusLine } from './status-line.js';

const programs = (...states: State[]) => states.map((state) => ({ state }) as ProgramSnapshot);

test('the status line counts programs, running ones and fatal ones', () => {
  assert.equal(getStatusLine(programs()), '0 programs, 0 running');
  assert.equal(getStatusLine(programs('running')), '1 program, 1 running');
  assert.equal(getStatusLine(programs('running', 'fatal', 'backoff')), '3 programs, 1 running, 1 fatal');
});

test('many changes in one turn send one STATUS=, and an unchanged line is not sent again', async () => {
  let current = programs('starting');
  const sent: string[] = [];
  const report = createStatusReporter(
    () => current,
    (text) => sent.push(text),
  );
  report();
  report();
  await new Promise((resolve) => setImmediate(resolve));
  current = programs('running');
  report();
  await new Promise((resolve) => setImmediate(resolve));
  report();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(sent, ['1 program, 0 running', '1 program, 1 running']);
});
