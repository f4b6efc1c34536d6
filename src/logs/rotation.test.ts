import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  compressInBackground,
  getRotatedName,
  listRotated,
  pruneRotated,
  recoverCompression,
} from './rotation.js';

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

test('names a rotated file by a sequence number and the UTC moment of rotation', () => {
  assert.equal(getRotatedName(path, AT), `${path}.000001.20261121-164005-007`);
});

test('each rotation takes the next sequence number, within one millisecond too', () => {
  assert.equal(rotateAt(AT), `${path}.000001.20261121-164005-007`);
  assert.equal(rotateAt(AT), `${path}.000002.20261121-164005-007`);
  assert.equal(rotateAt(AT), `${path}.000003.20261121-164005-007`);
});

test('a compressed file still holds its number', () => {
  writeFileSync(`${path}.000007.20261121-164005-007.gz`, '');
  assert.equal(getRotatedName(path, AT), `${path}.000008.20261121-164005-007`);
});

test('a clock stepped backwards does not make new files look old, so pruning keeps them', () => {
  const future = new Date(AT.getTime() + 3600_000);
  for (const content of ['a', 'b', 'c']) rotateAt(future, content);
  for (const content of ['d', 'e']) rotateAt(AT, content);
  pruneRotated(path, 3);
  assert.deepEqual(
    listRotated(path).map((file) => readFileSync(file.path, 'utf8')),
    ['c', 'd', 'e'],
  );
});

test('files named before sequence numbers are older than numbered ones, in stamp order', () => {
  const later = new Date(AT.getTime() + 1);
  writeFileSync(`${path}.20261121-164005-007-1`, '');
  writeFileSync(`${path}.20261121-164005-007`, '');
  writeFileSync(`${path}.20261121-164004-999.gz`, '');
  rotateAt(new Date(AT.getTime() - 86_400_000));
  rotateAt(later);
  writeFileSync(`${path}.20261121-164005-008`, '');
  assert.deepEqual(names(), [
    'web.out.log.20261121-164004-999.gz',
    'web.out.log.20261121-164005-007',
    'web.out.log.20261121-164005-007-1',
    'web.out.log.20261121-164005-008',
    'web.out.log.000001.20261120-164005-007',
    'web.out.log.000002.20261121-164005-008',
  ]);
  assert.deepEqual(
    listRotated(path).map((file) => file.compressed),
    [true, false, false, false, false, false],
  );
});

test('sequence numbers past six digits still sort numerically', () => {
  writeFileSync(`${path}.999999.20261121-164005-007`, '');
  assert.equal(rotateAt(AT), `${path}.1000000.20261121-164005-007`);
  assert.deepEqual(names(), [
    'web.out.log.999999.20261121-164005-007',
    'web.out.log.1000000.20261121-164005-007',
  ]);
});

test('a new name sorts last even when older files were pruned', () => {
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
    'web.out.log.000002.20261121-164005-008.gz.tmp',
    'web.out.log.bak',
    'web.out.log.2026',
    'web.err.log.20261121-164005-007',
    'webapp.out.log.20261121-164005-007',
  ]) {
    writeFileSync(join(dir, other), '');
  }
  assert.deepEqual(names(), ['web.out.log.000001.20261121-164005-007']);
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
  assert.deepEqual(names(), ['web.out.log.000001.20261121-164005-007.gz']);
  assert.equal(gunzipSync(readFileSync(`${rotated}.gz`)).toString(), 'hello\nworld\n'.repeat(1000));
  assert.ok(!readdirSync(dir).some((entry) => entry.endsWith('.tmp')));
});

test('compressing a file that has gone leaves nothing behind and still calls back', async () => {
  await new Promise<void>((resolve) =>
    compressInBackground(join(dir, 'gone.log.20261121-164005-007'), resolve),
  );
  assert.deepEqual(readdirSync(dir), []);
});

test('a compression cut short by a SIGKILL is cleaned up: the .gz.tmp goes, the file is compressed again', async () => {
  const rotated = rotateAt(AT, 'hello\n'.repeat(100));
  writeFileSync(`${rotated}.gz.tmp`, 'half a gzip stream');
  writeFileSync(`${path}.000009.20261121-164005-007.gz.tmp`, 'its source is gone');
  await new Promise<void>((resolve) => recoverCompression(path, true, resolve));
  assert.deepEqual(readdirSync(dir), ['web.out.log.000001.20261121-164005-007.gz']);
  assert.equal(gunzipSync(readFileSync(`${rotated}.gz`)).toString(), 'hello\n'.repeat(100));
});

test('without compression, only the orphan .gz.tmp is removed', () => {
  const rotated = rotateAt(AT, 'kept');
  writeFileSync(`${rotated}.gz.tmp`, 'half a gzip stream');
  recoverCompression(path, false, () => assert.fail('nothing to compress'));
  assert.deepEqual(readdirSync(dir), ['web.out.log.000001.20261121-164005-007']);
});
