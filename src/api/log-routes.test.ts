import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTendError } from '../errors.js';
import { parseCursors } from './log-routes.js';

test('after=NAME:STREAM:INODE:OFFSET cursors are read by program and stream; a malformed one is a BAD_REQUEST', () => {
  const cursors = parseCursors(['web.1:out:123:4567', 'web.1:err:9:0']);
  assert.deepEqual(
    [...cursors],
    [
      ['web.1:out', { ino: 123, offset: 4567 }],
      ['web.1:err', { ino: 9, offset: 0 }],
    ],
  );
  for (const bad of ['web:both:1:2', 'web:out:1', 'web:out:x:2', ':out:1:2']) {
    assert.throws(
      () => parseCursors([bad]),
      (error) => isTendError(error) && error.code === 'BAD_REQUEST' && error.message.includes(bad),
    );
  }
});
