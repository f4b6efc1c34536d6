import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BadArgumentError } from '../errors.js';
import { createFakeClock } from './fake-clock.js';
import { getNextDue, parseRepeat, type TimedEntry, Timetable } from './schedule.js';

function createTimetable(startMs = 0) {
  const fake = createFakeClock(startMs);
  const fired: { event: string; at: number }[] = [];
  const timetable = new Timetable(fake.clock, (entry: TimedEntry) =>
    fired.push({ event: entry.event, at: fake.now() }),
  );
  return { fake, fired, timetable };
}

describe('timed events', () => {
  test('a delayed event fires at its time, not before', () => {
    const { fake, fired, timetable } = createTimetable();
    timetable.add('later', null, 500, null);
    fake.advance(499);
    assert.deepEqual(fired, []);
    fake.advance(1);
    assert.deepEqual(fired, [{ event: 'later', at: 500 }]);
    assert.equal(timetable.size, 0);
  });

  test('many timed events share one timer, armed for the earliest', () => {
    const { fake, fired, timetable } = createTimetable();
    for (const at of [900, 300, 600, 100]) timetable.add(`at-${at}`, null, at, null);
    assert.equal(fake.pendingTimers, 1);
    fake.advance(1000);
    assert.deepEqual(
      fired.map((entry) => entry.event),
      ['at-100', 'at-300', 'at-600', 'at-900'],
    );
    assert.equal(fake.pendingTimers, 0, 'no timer is left armed when nothing is pending');
  });

  test('events due at the same time fire in the order they were added', () => {
    const { fake, fired, timetable } = createTimetable();
    for (const name of ['a', 'b', 'c']) timetable.add(name, null, 100, null);
    fake.advance(100);
    assert.deepEqual(
      fired.map((entry) => entry.event),
      ['a', 'b', 'c'],
    );
  });

  test('a cancelled event never fires and its timer is disarmed', () => {
    const { fake, fired, timetable } = createTimetable();
    const handle = timetable.add('never', null, 100, null);
    assert.deepEqual(handle.nextAt, new Date(100));
    handle.cancel();
    assert.equal(handle.nextAt, null);
    assert.equal(fake.pendingTimers, 0);
    fake.advance(1000);
    assert.deepEqual(fired, []);
  });

  test('an interval repeats from its due time, without drift, until cancelled', () => {
    const { fake, fired, timetable } = createTimetable();
    const handle = timetable.add('tick', null, 100, parseRepeat(100));
    fake.advance(350);
    assert.deepEqual(
      fired.map((entry) => entry.at),
      [100, 200, 300],
    );
    handle.cancel();
    fake.advance(1000);
    assert.equal(fired.length, 3);
  });

  test('an interval that fell behind skips the missed runs instead of replaying them', () => {
    const repeat = parseRepeat('1s');
    assert.equal(getNextDue(repeat, 1000, 4500), 5000);
    assert.equal(getNextDue(repeat, 1000, 1000), 2000);
  });

  test('a cron expression fires at the times it names', () => {
    const start = Date.parse('2030-01-01T00:00:00Z');
    const { fake, fired, timetable } = createTimetable(start);
    const repeat = parseRepeat('*/15 * * * * *');
    const first = getNextDue(repeat, start, start);
    assert.equal(first, start + 15_000);
    timetable.add('quarter-minute', null, first as number, repeat);
    fake.advance(60_000);
    assert.deepEqual(
      fired.map((entry) => (entry.at - start) / 1000),
      [15, 30, 45, 60],
    );
  });

  test('the pending list shows each timed event with its due time and repeat', () => {
    const { timetable } = createTimetable();
    timetable.add('poll', { url: 'x' }, 2000, parseRepeat('2s'));
    timetable.add('once', null, 1000, null);
    assert.deepEqual(timetable.list(), [
      { id: 2, event: 'once', payload: null, dueAt: new Date(1000).toISOString(), every: null },
      { id: 1, event: 'poll', payload: { url: 'x' }, dueAt: new Date(2000).toISOString(), every: 2000 },
    ]);
  });
});

describe('parseRepeat', () => {
  test('reads milliseconds, durations and cron expressions', () => {
    assert.deepEqual(parseRepeat(250), { kind: 'interval', ms: 250 });
    assert.deepEqual(parseRepeat('5m'), { kind: 'interval', ms: 300_000 });
    assert.equal(parseRepeat('0 9 * * 1').kind, 'cron');
  });

  test('refuses a zero interval and text that is neither a duration nor cron', () => {
    assert.throws(() => parseRepeat(0), BadArgumentError);
    assert.throws(() => parseRepeat('every tuesday'), /neither a duration .* nor a cron expression/);
  });
});
