import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPython, usesFormatName } from './python-format.js';

const values: Record<string, string | number> = { program_name: 'api', process_num: 3, here: '/etc/sv' };
const lookup = (key: string) => values[key];

test('expands %(name)s, %(name)d and zero-padded widths like Python', () => {
  assert.equal(formatPython('%(program_name)s-%(process_num)02d', lookup), 'api-03');
  assert.equal(formatPython('80%(process_num)02d', lookup), '8003');
  assert.equal(formatPython('%(process_num)d|%(process_num)3d|%(program_name)-5s|', lookup), '3|  3|api  |');
  assert.equal(formatPython('%(here)s/run.sock', lookup), '/etc/sv/run.sock');
});

test('%% is a literal percent sign', () => {
  assert.equal(
    formatPython('celery worker -n w@%%h --rate 50%%', lookup),
    'celery worker -n w@%h --rate 50%',
  );
});

test('an unknown name is an error naming it', () => {
  assert.throws(() => formatPython('%(nope)s', lookup), /%\(nope\)s cannot be expanded/);
});

test('tells whether a name is used', () => {
  assert.equal(usesFormatName('--port 80%(process_num)02d', 'process_num'), true);
  assert.equal(usesFormatName('%%(process_num)d', 'process_num'), false);
});
