import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventQueue } from './event-queue.js';
import { createFakeClock } from './fake-clock.js';

function recordOrder(queue: EventQueue, events: string[]): string[] {
  const order: string[] = [];
  for (const event of events) queue.on(event, (payload) => order.push(`${event}:${String(payload)}`));
  return order;
}

describe('event queue ordering', () => {
  test('schedule appends at the back; scheduleNext puts an event at the front', async () => {
    const queue = new EventQueue();
    const order = recordOrder(queue, ['a', 'b']);
    queue.schedule('a', 1);
    queue.schedule('a', 2);
    queue.scheduleNext('b', 1);
    queue.schedule('a', 3);
    queue.scheduleNext('b', 2);
    await queue.whenIdle();
    assert.deepEqual(order, ['b:2', 'b:1', 'a:1', 'a:2', 'a:3']);
  });

  test('urgent events (signals) run first, in arrival order, ahead of scheduleNext', async () => {
    const queue = new EventQueue();
    const order = recordOrder(queue, ['work', 'signal']);
    queue.schedule('work', 1);
    queue.scheduleUrgent('signal', 'HUP');
    queue.scheduleNext('work', 0);
    queue.scheduleUrgent('signal', 'TERM');
    await queue.whenIdle();
    assert.deepEqual(order, ['signal:HUP', 'signal:TERM', 'work:0', 'work:1']);
  });

  test('a paused queue holds its events until resume(), then runs urgent ones first', async () => {
    const queue = new EventQueue({ paused: true });
    const order = recordOrder(queue, ['work', 'start']);
    queue.schedule('work', 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, []);
    queue.scheduleUrgent('start', 'now');
    queue.resume();
    await queue.whenIdle();
    assert.deepEqual(order, ['start:now', 'work:1']);
  });

  test('a handler never runs inside the call that scheduled it', async () => {
    const queue = new EventQueue();
    let ran = false;
    queue.on('x', () => {
      ran = true;
    });
    queue.schedule('x');
    assert.equal(ran, false);
    await queue.whenIdle();
    assert.equal(ran, true);
  });

  test('events run one at a time: an async handler finishes before the next event starts', async () => {
    const queue = new EventQueue();
    const log: string[] = [];
    queue.on('slow', async () => {
      log.push('slow start');
      await new Promise((resolve) => setTimeout(resolve, 30));
      log.push('slow end');
    });
    queue.on('fast', () => log.push('fast'));
    queue.schedule('slow');
    queue.schedule('fast');
    await queue.whenIdle();
    assert.deepEqual(log, ['slow start', 'slow end', 'fast']);
  });

  test('an event scheduled by a handler waits for its turn', async () => {
    const queue = new EventQueue();
    const log: string[] = [];
    queue.on('first', () => {
      queue.schedule('third');
      queue.scheduleNext('second');
      log.push('first');
    });
    queue.on('second', () => log.push('second'));
    queue.on('third', () => log.push('third'));
    queue.schedule('first');
    await queue.whenIdle();
    assert.deepEqual(log, ['first', 'second', 'third']);
  });
});

describe('event pipelines', () => {
  test('each handler gets the payload and the previous result, in registration order', async () => {
    const queue = new EventQueue();
    const seen: unknown[] = [];
    queue.on('price', (cents: number) => cents / 100);
    queue.on('price', async (_cents: number, euros?: number) => `${euros?.toFixed(2)} EUR`);
    queue.on('price', (cents: number, text?: string, ctx?) => seen.push({ cents, text, event: ctx?.event }));
    queue.schedule('price', 1250);
    await queue.whenIdle();
    assert.deepEqual(seen, [{ cents: 1250, text: '12.50 EUR', event: 'price' }]);
  });

  test('ctx.stop() ends the chain: later handlers do not run, for that event only', async () => {
    const queue = new EventQueue();
    const reached: number[] = [];
    queue.on('item', (n: number, _previous, ctx) => {
      if (n < 0) ctx.stop();
      return n;
    });
    queue.on('item', (n: number) => reached.push(n));
    queue.schedule('item', -1);
    queue.schedule('item', 2);
    await queue.whenIdle();
    assert.deepEqual(reached, [2]);
  });

  test('a removed handler leaves the pipeline', async () => {
    const queue = new EventQueue();
    const calls: string[] = [];
    const off = queue.on('e', () => calls.push('removed'));
    queue.on('e', () => calls.push('kept'));
    off();
    queue.schedule('e');
    await queue.whenIdle();
    assert.deepEqual(calls, ['kept']);
  });

  test('a failing handler ends its chain, is reported and counted, and the queue goes on', async () => {
    const errors: string[] = [];
    const queue = new EventQueue({
      onError: (event, error) => errors.push(`${event}: ${(error as Error).message}`),
    });
    const after: string[] = [];
    queue.on('bad', () => {
      throw new Error('boom');
    });
    queue.on('bad', () => after.push('bad second handler'));
    queue.on('good', () => after.push('good'));
    queue.schedule('bad');
    queue.schedule('good');
    queue.schedule('good');
    await queue.whenIdle();
    assert.deepEqual(errors, ['bad: boom']);
    assert.deepEqual(after, ['good', 'good']);
    const stats = queue.getStats().snapshot();
    assert.equal(stats.bad?.count, 1);
    assert.equal(stats.bad?.errors, 1);
    assert.equal(stats.good?.count, 2);
    assert.equal(stats.good?.errors, 0);
    assert.ok((stats.good?.totalMs ?? -1) >= 0);
  });

  test('statistics add up the time spent per event', async () => {
    const queue = new EventQueue();
    queue.on('wait', () => new Promise((resolve) => setTimeout(resolve, 20)));
    queue.schedule('wait');
    queue.schedule('wait');
    await queue.whenIdle();
    const stats = queue.getStats().snapshot().wait;
    assert.equal(stats?.count, 2);
    assert.ok((stats?.totalMs ?? 0) >= 35, `totalMs ${stats?.totalMs}`);
    assert.ok((stats?.maxMs ?? 0) >= 17);
  });
});

describe('timed events on the queue', () => {
  test('scheduleAfter, scheduleAt and every join the back of the queue when due', async () => {
    const fake = createFakeClock(1_000_000);
    const queue = new EventQueue({ clock: fake.clock });
    const order = recordOrder(queue, ['after', 'at', 'every']);
    queue.scheduleAfter(100, 'after', 'x');
    queue.scheduleAt(new Date(1_000_050), 'at', 'y');
    const ticker = queue.every(40, 'every', 'z');
    assert.equal(queue.timedCount, 3);
    fake.advance(110);
    await queue.whenIdle();
    // every at 40 and 80, at at 50, after at 100
    assert.deepEqual(order, ['every:z', 'at:y', 'every:z', 'after:x']);
    ticker.cancel();
    fake.advance(1000);
    await queue.whenIdle();
    assert.equal(order.length, 4);
    assert.equal(queue.timedCount, 0);
  });

  test('a due timed event waits behind events already queued', async () => {
    const fake = createFakeClock();
    const queue = new EventQueue({ clock: fake.clock });
    const order = recordOrder(queue, ['queued', 'timed']);
    queue.scheduleAfter(10, 'timed', 1);
    queue.schedule('queued', 1);
    fake.advance(10);
    await queue.whenIdle();
    assert.deepEqual(order, ['queued:1', 'timed:1']);
  });

  test('close() drops queued and timed events and accepts no more', async () => {
    const fake = createFakeClock();
    const queue = new EventQueue({ clock: fake.clock });
    const order = recordOrder(queue, ['e']);
    queue.schedule('e', 1);
    queue.every(10, 'e', 2);
    assert.equal(queue.close(), 2);
    queue.schedule('e', 3);
    fake.advance(100);
    await queue.whenIdle();
    assert.deepEqual(order, []);
    assert.equal(fake.pendingTimers, 0);
  });

  test('real timers: a short scheduleAfter fires on time', async () => {
    const queue = new EventQueue();
    const started = Date.now();
    const fired = new Promise<number>((resolve) => queue.on('soon', () => resolve(Date.now() - started)));
    queue.scheduleAfter(30, 'soon');
    const elapsed = await fired;
    assert.ok(elapsed >= 29, `fired after ${elapsed} ms`);
  });
});
