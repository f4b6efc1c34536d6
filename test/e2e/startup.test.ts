import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTendHome, type DaemonStatus, ROOT, runTend, startRunning, type TendHome } from './helpers.js';

// `tend startup` against a fake systemctl on PATH (there is no running systemd here): the unit lands
// in XDG_CONFIG_HOME, the enable commands run in order, and `enable --now` starts the daemon the way
// systemd would, so the hand-over from a shell-started daemon is real.

function setUp(h: TendHome) {
  const bin = join(h.home, 'fake-bin');
  const config = join(h.home, 'config');
  const calls = join(h.home, 'systemctl.calls');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'systemctl'),
    `#!/bin/sh\necho "$*" >> ${calls}\ncase "$*" in *"enable --now"*) exec "${process.execPath}" "${join(ROOT, 'bin', 'tend.js')}" daemon start >/dev/null;; esac\n`,
  );
  chmodSync(join(bin, 'systemctl'), 0o755);
  const env = { PATH: `${bin}:${process.env.PATH}`, XDG_CONFIG_HOME: config };
  const readCalls = () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []);
  return { env, config, readCalls };
}

test('tend startup --dry-run prints the unit and the commands, and writes nothing', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const { env, config, readCalls } = setUp(h);
  const result = await h.tend(['startup', 'systemd', '--user', '--dry-run'], { env });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Type=notify$/m);
  assert.match(result.stdout, /# then: systemctl --user enable --now tend-[0-9a-f]{8}\.service/);
  assert.equal(existsSync(join(config, 'systemd')), false);
  assert.deepEqual(readCalls(), []);
});

test('tend startup installs a user unit, hands the running daemon over, checks it and unstartup removes it', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const { env, config, readCalls } = setUp(h);
  const before = await startRunning(h, 'web');
  const oldDaemon = await h.tendJson<DaemonStatus>(['daemon', 'status']);

  const installed = await h.tendJson<{ unitPath: string; unitName: string; handedOver: boolean }>(
    ['startup', 'systemd', '--user'],
    { env },
  );
  assert.equal(installed.unitPath, join(config, 'systemd', 'user', `${installed.unitName}.service`));
  assert.equal(installed.handedOver, true);
  assert.match(
    readFileSync(installed.unitPath, 'utf8'),
    new RegExp(`^Environment=TEND_HOME=${h.home}$`, 'm'),
  );
  assert.deepEqual(readCalls(), [
    '--user daemon-reload',
    `--user enable --now ${installed.unitName}.service`,
  ]);
  const newDaemon = await h.tendJson<DaemonStatus>(['daemon', 'status']);
  assert.notEqual(newDaemon.pid, oldDaemon.pid);
  const [row] = await h.tendJson<{ pid: number; state: string }[]>(['ls']);
  assert.equal(row?.pid, before.pid, 'the program kept running through the hand-over');

  const good = await h.tend(['startup', 'systemd', '--user', '--check'], { env });
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /ok {2}node .* runs \(v\d+/);

  // A version manager removed the node the unit names.
  const unit = readFileSync(installed.unitPath, 'utf8');
  writeFileSync(installed.unitPath, unit.replace(/^ExecStart=\S+/m, 'ExecStart=/opt/gone/v18/bin/node'));
  const bad = await h.tend(['startup', 'systemd', '--user', '--check'], { env });
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /BAD node \/opt\/gone\/v18\/bin\/node is missing or not executable/);

  const removed = await h.tend(['unstartup', 'systemd', '--user'], { env });
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(existsSync(installed.unitPath), false);
  assert.deepEqual(readCalls().slice(2), [
    `--user disable ${installed.unitName}.service`,
    '--user daemon-reload',
  ]);
});

test('as root, a system unit for another user is planned for that user’s home without touching it', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root');
  const h = await createTendHome();
  t.after(h.cleanup);
  // The home belongs to nobody: root's CLI must not use it (the home check), only name it in the unit.
  const home = join(h.home, 'nobody-home');
  mkdirSync(home, { mode: 0o700 });
  chownSync(home, 65534, 65534);
  const result = await runTend(home, ['startup', 'systemd', '--system', '--run-as', 'nobody', '--dry-run']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^User=nobody$/m);
  assert.match(result.stdout, new RegExp(`^Environment=TEND_HOME=${home}$`, 'm'));
  assert.match(result.stdout, /# would write \/etc\/systemd\/system\/tend-nobody-[0-9a-f]{8}\.service/);
});
