import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { type FileCursor, FileFollower } from './file-follow.js';
import { getRotatedName } from './rotation.js';

let dir: string;
let path: string;
const followers: FileFollower[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tend-follow-'));
  path = join(dir, 'app.out.log');
});

afterEach(() => {
  for (const follower of followers.splice(0)) follower.close();
  rmSync(dir, { recursive: true, force: true });
});

function follow(from: FileCursor | null) {
  const follower = new FileFollower(path, from);
  followers.push(follower);
  let last: FileCursor | null = null;
  return {
    follower,
    read(): string[] {
      const lines: string[] = [];
      follower.read((line, cursor) => {
        lines.push(line);
        last = cursor;
      });
      return lines;
    },
    last: () => last,
  };
}

const rotate = () => renameSync(path, getRotatedName(path, new Date()));

test('starts at the end (now) and gives complete lines only; a partial line waits for its newline', () => {
  writeFileSync(path, 'old 1\nold 2\n');
  const f = follow(null);
  assert.deepEqual(f.read(), []);
  appendFileSync(path, 'new 1\nnew');
  assert.deepEqual(f.read(), ['new 1']);
  appendFileSync(path, ' 2\n');
  assert.deepEqual(f.read(), ['new 2']);
  assert.deepEqual(f.read(), []);
});

test('follows a rotation: the rest of the old file, then the new one, and across two rotations at once', () => {
  writeFileSync(path, '');
  const f = follow(null);
  appendFileSync(path, 'a\n');
  rotate();
  writeFileSync(path, 'b\n');
  rotate();
  writeFileSync(path, 'c\n');
  assert.deepEqual(f.read(), ['a', 'b', 'c']);
  appendFileSync(path, 'd\n');
  assert.deepEqual(f.read(), ['d']);
});

test('a cursor resumes after its line, in the current file or in one rotated since', () => {
  writeFileSync(path, '1\n2\n');
  const first = follow({ ino: 0, offset: 0 });
  // An unknown file: the current one from its start.
  assert.deepEqual(first.read(), ['1', '2']);
  const cursor = first.last() as FileCursor;
  first.follower.close();
  appendFileSync(path, '3\n');
  rotate();
  writeFileSync(path, '4\n');
  const resumed = follow(cursor);
  assert.deepEqual(resumed.read(), ['3', '4']);
  assert.equal(resumed.follower.cursor.offset, 2);
});

test('a file emptied by flush is read again from its start', () => {
  writeFileSync(path, 'x\ny\n');
  const f = follow(null);
  truncateSync(path, 0);
  appendFileSync(path, 'z\n');
  assert.deepEqual(f.read(), ['z']);
});
