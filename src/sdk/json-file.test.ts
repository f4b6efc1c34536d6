import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { toJson, writeJsonFile } from './json-file.js';

test('state that JSON cannot hold is written as readable text instead of failing the dump', () => {
  const state: Record<string, unknown> = { big: 10n, cache: new Map([['a', 1]]), tags: new Set(['x']) };
  state.self = state;
  const shared = { n: 1 };
  state.twice = [shared, shared];
  assert.deepEqual(JSON.parse(toJson(state)), {
    big: '10',
    cache: { a: 1 },
    tags: ['x'],
    self: '[circular]',
    twice: [{ n: 1 }, { n: 1 }],
  });
});

test('the file is written whole, readable only by its owner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tend-sdk-json-'));
  try {
    const path = join(dir, 'dump.json');
    writeJsonFile(path, { ok: true });
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { ok: true });
    assert.equal(statSync(path).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
