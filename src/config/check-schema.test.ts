import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseHostPort, parseStatusRanges } from './check-schema.js';
import { configFileSchema } from './file-schema.js';
import { programInputSchema } from './program-schema.js';

const parse = (checks: unknown) => programInputSchema.safeParse({ name: 'web', command: ['x'], checks });
const firstIssue = (checks: unknown) => {
  const result = parse(checks);
  assert.equal(result.success, false);
  const issue = result.error?.issues[0];
  return `${issue?.path.join('.')}: ${issue?.message}`;
};

describe('checks in a program spec', () => {
  test('fills in the documented defaults and names each check by its kind', () => {
    const result = parse([
      { http: 'http://127.0.0.1:3000/health' },
      { tcp: '127.0.0.1:5432' },
      { tcp: '[::1]:80' },
    ]);
    assert.ok(result.success);
    const [http, tcp, tcp2] = result.data.checks;
    assert.deepEqual(http, {
      name: 'http',
      http: { url: 'http://127.0.0.1:3000/health', method: 'GET', headers: {}, status: '200-399' },
      level: 'alive',
      period: 10_000,
      timeout: 1000,
      failureThreshold: 3,
      successThreshold: 1,
      initialDelay: 0,
    });
    assert.equal(tcp?.name, 'tcp');
    assert.equal(tcp2?.name, 'tcp-2');
  });

  test('a startup check gets a budget of failureThreshold × period', () => {
    const result = parse([{ exec: 'true', level: 'startup', period: '2s', failureThreshold: 5 }]);
    assert.equal(result.data?.checks[0]?.budget, 10_000);
  });

  test('the normalized form parses again to itself (the store re-reads specs)', () => {
    const once = programInputSchema.parse({
      name: 'web',
      command: ['x'],
      checks: [{ http: { url: 'http://h/', method: 'head', status: 200 }, level: 'ready', period: '1s' }],
    });
    const twice = programInputSchema.parse(JSON.parse(JSON.stringify(once)));
    assert.deepEqual(twice.checks, once.checks);
    assert.equal(once.checks[0]?.http?.method, 'HEAD');
  });

  test('refuses a check with no probe, two probes, or a budget outside startup', () => {
    assert.equal(firstIssue([{ period: '1s' }]), 'checks.0: expected one of http, tcp or exec');
    assert.equal(
      firstIssue([{ tcp: 'h:1', exec: 'true' }]),
      'checks.0: expected only one of http, tcp or exec, found tcp and exec',
    );
    assert.equal(
      firstIssue([{ tcp: 'h:1', budget: '1m' }]),
      'checks.0.budget: expected budget only on a startup check',
    );
  });

  test('refuses malformed addresses, statuses, periods and repeated names', () => {
    assert.match(firstIssue([{ tcp: '127.0.0.1' }]), /^checks\.0\.tcp: expected host:port/);
    assert.match(firstIssue([{ http: 'ftp://h/' }]), /^checks\.0\.http: expected an http/);
    assert.match(firstIssue([{ http: { url: 'http://h/', status: '200-99' } }]), /checks\.0\.http\.status/);
    assert.equal(firstIssue([{ tcp: 'h:1', period: '10ms' }]), 'checks.0.period: expected at least 100ms');
    assert.equal(
      firstIssue([
        { name: 'db', tcp: 'h:1' },
        { name: 'db', exec: 'true' },
      ]),
      'checks.1.name: expected a unique name, "db" is used twice',
    );
  });

  test('tend.yaml accepts checks as written, with durations as text', () => {
    const file = {
      programs: { web: { command: 'x', checks: [{ http: 'http://h/', period: '5s', level: 'ready' }] } },
    };
    assert.ok(configFileSchema.safeParse(file).success);
    const bad = { programs: { web: { command: 'x', checks: [{ tcp: 'h:1', period: 'soon' }] } } };
    assert.equal(
      configFileSchema.safeParse(bad).error?.issues[0]?.path.join('.'),
      'programs.web.checks.0.period',
    );
  });
});

describe('check addresses and statuses', () => {
  test('parses status lists and ranges', () => {
    assert.deepEqual(parseStatusRanges('200-399'), [[200, 399]]);
    assert.deepEqual(parseStatusRanges('200, 204,301-302'), [
      [200, 200],
      [204, 204],
      [301, 302],
    ]);
    assert.equal(parseStatusRanges('abc'), undefined);
    assert.equal(parseStatusRanges('600'), undefined);
  });

  test('parses host:port, with brackets for IPv6', () => {
    assert.deepEqual(parseHostPort('localhost:3000'), { host: 'localhost', port: 3000 });
    assert.deepEqual(parseHostPort('[::1]:80'), { host: '::1', port: 80 });
    assert.equal(parseHostPort('::1:80'), undefined);
    assert.equal(parseHostPort('h:0'), undefined);
    assert.equal(parseHostPort('h:70000'), undefined);
  });
});
