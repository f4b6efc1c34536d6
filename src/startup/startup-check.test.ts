import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseNodePath, isVersionedPath } from './stable-paths.js';
import { checkInstalledUnit, parseInstalledUnit } from './startup-check.js';
import { renderSystemdUnit } from './systemd-unit.js';

const unitText = (nodePath: string, timeoutStopSec = 25) =>
  renderSystemdUnit({
    scope: 'user',
    nodePath,
    tendPath: '/opt/tend/bin/tend.js',
    tendHome: '/home/ann/.tend',
    user: null,
    pathEnv: '/usr/bin',
    timeoutStopSec,
  });

// node answers --version; tend answers only when node runs the very script the unit names (not a
// node flag the unit puts before it).
const working = (_command: string, args: string[]) =>
  args[0] === '--version'
    ? { status: 0, stdout: 'v20.11.0\n' }
    : args[0] === '/opt/tend/bin/tend.js'
      ? { status: 0, stdout: '0.1.0\n' }
      : { status: 9, stdout: '' };

describe('tend startup --check', () => {
  test('a unit naming a working node and tend passes', () => {
    const findings = checkInstalledUnit({
      unit: parseInstalledUnit('systemd', unitText(process.execPath)),
      tendHome: '/home/ann/.tend',
      neededTimeoutSec: 25,
      current: { nodePath: process.execPath, tendPath: '/opt/tend/bin/tend.js' },
      probe: working,
    });
    assert.ok(
      findings.every((finding) => finding.ok),
      JSON.stringify(findings),
    );
  });

  test('a node removed by a version manager is found', () => {
    const findings = checkInstalledUnit({
      unit: parseInstalledUnit('systemd', unitText('/home/ann/.nvm/versions/node/v18.0.0/bin/node')),
      tendHome: '/home/ann/.tend',
      neededTimeoutSec: 25,
      current: { nodePath: process.execPath, tendPath: '/opt/tend/bin/tend.js' },
      probe: working,
    });
    assert.equal(findings[0]?.ok, false);
    assert.match(findings[0]?.what ?? '', /missing or not executable/);
  });

  test('an old node, another home and an outgrown stop timeout are each a finding', () => {
    const findings = checkInstalledUnit({
      unit: parseInstalledUnit('systemd', unitText(process.execPath, 20)),
      tendHome: '/srv/tend',
      neededTimeoutSec: 140,
      current: { nodePath: process.execPath, tendPath: '/opt/tend/bin/tend.js' },
      probe: () => ({ status: 0, stdout: 'v18.19.0\n' }),
    });
    const bad = findings.filter((finding) => !finding.ok).map((finding) => finding.what);
    assert.equal(bad.length, 3, JSON.stringify(bad));
    assert.match(bad[0] ?? '', /v18\.19\.0; tend needs ≥ 20/);
    assert.match(bad[1] ?? '', /TEND_HOME=\/home\/ann\/\.tend, not \/srv\/tend/);
    assert.match(bad[2] ?? '', /stop timeout \(20s\) is below .* \(140s\)/);
  });
});

describe('stable paths', () => {
  test('version managers’ folders are versioned; system folders are not', () => {
    assert.ok(isVersionedPath('/home/ann/.nvm/versions/node/v20.11.0/bin/node'));
    assert.ok(isVersionedPath('/opt/homebrew/Cellar/node/21.1.0/bin/node'));
    assert.ok(isVersionedPath('/home/ann/.volta/tools/image/node/20.1.0/bin/node'));
    assert.ok(!isVersionedPath('/usr/local/bin/node'));
    assert.ok(!isVersionedPath('/usr/bin/node'));
  });

  test('a stable node keeps its path; a versioned one without a stable alias is marked unstable', () => {
    assert.deepEqual(chooseNodePath('/usr/bin/node', '/usr/bin'), { path: '/usr/bin/node', stable: true });
    const nvm = '/home/ann/.nvm/versions/node/v20.11.0/bin/node';
    assert.deepEqual(chooseNodePath(nvm, '/home/ann/.nvm/versions/node/v20.11.0/bin'), {
      path: nvm,
      stable: false,
    });
  });
});
