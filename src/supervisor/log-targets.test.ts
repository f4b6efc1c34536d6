import assert from 'node:assert/strict';
import { test } from 'node:test';
import { programInputSchema } from '../config/program-schema.js';
import { getPaths } from '../paths.js';
import { checkLogTargets, getLogTargetKeys } from './log-targets.js';

const paths = getPaths('/srv/tend-home');
const spec = (name: string, instanceOf: string | null = null) => ({
  ...programInputSchema.parse({ name, command: ['true'] }),
  cwd: '/',
  instanceOf,
});

test('internals of TEND_HOME are refused, with what they are', () => {
  const check = (out: string) => () =>
    checkLogTargets(spec('x'), { out, err: '/dev/null' }, paths, new Map());
  assert.throws(check('/srv/tend-home/tend.db'), {
    code: 'BAD_ARGUMENT',
    message: /logs\.out .* is the daemon's database;/,
  });
  assert.throws(check('/srv/tend-home/tend.db-shm'), /database journal/);
  assert.throws(check('/srv/tend-home/daemon.log'), /the daemon's own log/);
  assert.throws(check('/srv/tend-home/fifo/other.err'), /inside TEND_HOME\/fifo/);
  assert.doesNotThrow(check('/srv/tend-home/logs/x.out.log'));
  assert.doesNotThrow(check('console'));
});

test('another program’s log is refused; the same program and its instances may share one', () => {
  const owners = new Map(
    getLogTargetKeys({ out: '/var/log/a.log', err: '/var/log/a.log' }).map((key) => [key, spec('a')]),
  );
  const targets = { out: '/var/log/a.log', err: '/dev/null' };
  assert.throws(() => checkLogTargets(spec('b'), targets, paths, owners), /is the log of program "a"/);
  assert.doesNotThrow(() => checkLogTargets(spec('a'), targets, paths, owners));
  const instances = new Map(getLogTargetKeys(targets).map((key) => [key, spec('w-1', 'w')]));
  assert.doesNotThrow(() => checkLogTargets(spec('w-2', 'w'), targets, paths, instances));
});
