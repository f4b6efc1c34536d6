import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadArgumentError } from '../errors.js';
import { createDaemon } from './lifecycle.js';

// What can be checked without run() (which takes over the process's signals): the rest is in
// test/e2e/sdk-*.test.ts, one child process per path.

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

test("the toolkit's own events cannot be handled or scheduled from outside", () => {
  const daemon = createDaemon({ name: 'unit', logger: quiet });
  assert.throws(() => daemon.on('daemon:stop', () => {}), BadArgumentError);
  assert.throws(() => daemon.schedule('daemon:stop'), /names starting with "daemon:" are the toolkit's own/);
  assert.throws(() => daemon.every('1s', 'daemon:watchdog'), BadArgumentError);
});

test('a daemon name must be usable in a file name', () => {
  assert.throws(() => createDaemon({ name: '../etc/passwd', logger: quiet }), BadArgumentError);
  assert.equal(createDaemon({ name: 'news-1.v2', logger: quiet }).name, 'news-1.v2');
});

test('before run(), events wait and stop() or reload() change nothing', async () => {
  const daemon = createDaemon({ name: 'unit', logger: quiet });
  let ran = false;
  daemon.on('work', () => {
    ran = true;
  });
  daemon.schedule('work');
  daemon.stop();
  daemon.reload();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(ran, false);
  assert.equal(daemon.state, 'idle');
  assert.equal(daemon.getRunLog().queue.length, 1);
});
