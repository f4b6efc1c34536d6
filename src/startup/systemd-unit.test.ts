import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DAEMON_NODE_FLAGS } from '../daemon/node-flags.js';
import { splitSystemdWords } from './startup-check.js';
import { planStartup, type StartupRequest } from './startup-plan.js';
import { getTimeoutStopSec, quoteArgument, renderSystemdUnit } from './systemd-unit.js';

// Every generated unit must pass `systemd-analyze verify` with nothing to say: it exits 0 on
// unknown keys and bad values too, only warning on stderr, so stderr must stay empty.

const dir = mkdtempSync(join(tmpdir(), 'tend-units-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function verify(name: string, content: string, scope: 'user' | 'system'): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  const runtime = join(dir, 'runtime');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const result = spawnSync(
    'systemd-analyze',
    [...(scope === 'user' ? ['--user'] : []), 'verify', '--man=no', path],
    { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_COLOR: '0' } },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stderr.trim();
}

function request(scope: 'user' | 'system', maxStopTimeoutMs: number, home = '/root/.tend'): StartupRequest {
  return {
    init: 'systemd',
    scope,
    tendHome: home,
    owner: { name: 'root', uid: 0, home: '/root' },
    execPath: process.execPath,
    tendScript: join(process.cwd(), 'bin', 'tend.js'),
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', XDG_CONFIG_HOME: join(dir, 'config') },
    maxStopTimeoutMs,
  };
}

describe('systemd units', () => {
  test('a user unit passes systemd-analyze verify', () => {
    const plan = planStartup(request('user', 10_000), true);
    assert.equal(plan.unitPath, join(dir, 'config', 'systemd', 'user', 'tend.service'));
    assert.equal(verify('tend.service', plan.content, 'user'), '');
    assert.match(plan.content, /^WantedBy=default\.target$/m);
    assert.doesNotMatch(plan.content, /^User=/m);
  });

  test('a system unit for another user passes systemd-analyze verify and runs as that user', () => {
    const plan = planStartup(
      {
        ...request('system', 10_000, '/var/lib/tend/home'),
        owner: { name: 'daemon', uid: 1, home: '/usr/sbin' },
      },
      true,
    );
    assert.match(plan.unitName, /^tend-daemon-[0-9a-f]{8}$/);
    assert.equal(verify(`${plan.unitName}.service`, plan.content, 'system'), '');
    assert.match(plan.content, /^User=daemon$/m);
    assert.match(plan.content, /^WantedBy=multi-user\.target$/m);
    assert.match(plan.content, /^After=network-online\.target$/m);
  });

  test('programs with instances and a long stop timeout raise TimeoutStopSec above it', () => {
    // e.g. `worker` with instances: 4 and stopTimeout: 2m: the instances stop side by side.
    const plan = planStartup(request('system', 120_000), true);
    assert.equal(verify('tend-long.service', plan.content, 'system'), '');
    const timeout = Number(/^TimeoutStopSec=(\d+)s$/m.exec(plan.content)?.[1]);
    assert.ok(timeout > 120, `TimeoutStopSec=${timeout}`);
    assert.equal(timeout, getTimeoutStopSec(120_000));
  });

  test('speaks the notify protocol and lets the daemon stop its programs itself', () => {
    const content = planStartup(request('system', 10_000), true).content;
    for (const line of ['Type=notify', 'NotifyAccess=all', 'KillMode=mixed', 'Restart=on-failure'])
      assert.match(content, new RegExp(`^${line}$`, 'm'));
    assert.match(
      content,
      /^ExecStart=\/\S+ --max-semi-space-size=1 --no-memory-reducer \/\S+bin\/tend\.js daemon run$/m,
    );
    assert.match(content, /^Environment=TEND_HOME=\/root\/\.tend$/m);
  });

  test('quotes paths with spaces, percent signs and dollars so they reach exec unchanged', () => {
    const content = renderSystemdUnit({
      scope: 'user',
      nodePath: '/opt/my node/bin/node',
      tendPath: '/srv/100%/$HOME/tend.js',
      tendHome: '/home/a b/.tend',
      user: null,
      pathEnv: '/usr/bin',
      timeoutStopSec: 25,
    });
    const exec = /^ExecStart=(.*)$/m.exec(content)?.[1] ?? '';
    assert.deepEqual(
      splitSystemdWords(exec).map((word) => word.replace(/\$\$/g, '$')),
      ['/opt/my node/bin/node', ...DAEMON_NODE_FLAGS, '/srv/100%/$HOME/tend.js', 'daemon', 'run'],
    );
    assert.equal(quoteArgument('plain'), 'plain');
    assert.match(content, /^Environment="TEND_HOME=\/home\/a b\/\.tend"$/m);
  });

  test('two homes of one user get two unit names', () => {
    const first = planStartup(request('user', 10_000, '/root/.tend'), true).unitName;
    const second = planStartup(request('user', 10_000, '/srv/other'), true).unitName;
    assert.equal(first, 'tend');
    assert.notEqual(first, second);
  });
});
