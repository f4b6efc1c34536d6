import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { compressInBackground, getRotatedName, listRotated, pruneRotated } from './rotation.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tend-rotation-'));
  path = join(dir, 'web.out.log');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const AT = new Date(Date.UTC(2026, 10, 21, 16, 40, 5, 7));

/** Rotates like LogFile does: the next name is taken by creating the file. */
function rotateAt(date: Date, content = ''): string {
  const name = getRotatedName(path, date);
  writeFileSync(name, content);
  return name;
}

const names = () => listRotated(path).map((file) => basename(file.path));

test('names a rotated file after the UTC moment of rotation, with milliseconds', () => {
  assert.equal(getRotatedName(path, AT), `${path}.20261121-164005-007`);
});

test('rotations within the same millisecond get increasing suffixes', () => {
  assert.equal(rotateAt(AT), `${path}.20261121-164005-007`);
  assert.equal(rotateAt(AT), `${path}.20261121-164005-007-1`);
  assert.equal(rotateAt(AT), `${path}.20261121-164005-007-2`);
});

test('a compressed file still holds its name', () => {
  writeFileSync(`${path}.20261121-164005-007.gz`, '');
  assert.equal(getRotatedName(path, AT), `${path}.20261121-164005-007-1`);
});

test('lists rotated files oldest first, suffixes in numeric order, compressed or not', () => {
  const later = new Date(AT.getTime() + 1);
  for (let index = 0; index < 12; index++) rotateAt(AT);
  rotateAt(later);
  writeFileSync(`${path}.20261121-164004-999.gz`, '');
  assert.deepEqual(names(), [
    'web.out.log.20261121-164004-999.gz',
    'web.out.log.20261121-164005-007',
    ...Array.from({ length: 11 }, (_, index) => `web.out.log.20261121-164005-007-${index + 1}`),
    'web.out.log.20261121-164005-008',
  ]);
  assert.deepEqual(
    listRotated(path).map((file) => file.compressed),
    [true, ...Array.from({ length: 13 }, () => false)],
  );
});

test('a new name sorts last even when older files of the same millisecond were pruned', () => {
  rotateAt(AT, 'first');
  rotateAt(AT, 'second');
  rotateAt(AT, 'third');
  pruneRotated(path, 1);
  rotateAt(AT, 'fourth');
  const contents = listRotated(path).map((file) => readFileSync(file.path, 'utf8'));
  assert.deepEqual(contents, ['third', 'fourth']);
});

test('ignores the log itself, other programs, temporary and unrelated files', () => {
  rotateAt(AT);
  for (const other of [
    'web.out.log',
    'web.out.log.20261121-164005-008.gz.tmp',
    'web.out.log.bak',
    'web.out.log.2026',
    'web.err.log.20261121-164005-007',
    'webapp.out.log.20261121-164005-007',
  ]) {
    writeFileSync(join(dir, other), '');
  }
  assert.deepEqual(names(), ['web.out.log.20261121-164005-007']);
});

test('lists nothing when the directory does not exist', () => {
  assert.deepEqual(listRotated(join(dir, 'missing', 'web.out.log')), []);
});

test('prunes all but the newest keep files', () => {
  for (let index = 0; index < 6; index++) rotateAt(new Date(AT.getTime() + index), String(index));
  pruneRotated(path, 2);
  assert.deepEqual(
    listRotated(path).map((file) => readFileSync(file.path, 'utf8')),
    ['4', '5'],
  );
  pruneRotated(path, 0);
  assert.deepEqual(listRotated(path), []);
});

test('compresses in the background into a .gz that replaces the file', async () => {
  const rotated = rotateAt(AT, 'hello\nworld\n'.repeat(1000));
  await new Promise<void>((resolve) => compressInBackground(rotated, resolve));
  assert.deepEqual(names(), ['web.out.log.20261121-164005-007.gz']);
  assert.equal(gunzipSync(readFileSync(`${rotated}.gz`)).toString(), 'hello\nworld\n'.repeat(1000));
  assert.ok(!readdirSync(dir).some((entry) => entry.endsWith('.tmp')));
});

test('compressing a file that has gone leaves nothing behind and still calls back', async () => {
  await new Promise<void>((resolve) =>
    compressInBackground(join(dir, 'gone.log.20261121-164005-007'), resolve),
  );
  assert.deepEqual(readdirSync(dir), []);
});
