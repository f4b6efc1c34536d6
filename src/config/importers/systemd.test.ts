// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is tend interpolation, not a template
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importSystemd } from './systemd.js';

function importOne(text: string, name = 'app.service') {
  return importSystemd([{ path: `/etc/systemd/system/${name}`, text }]);
}

test('the typical unit keeps its restart policy, delay, start limit, env, user and directory', () => {
  const { config, notes } = importOne(
    [
      '[Unit]',
      'StartLimitIntervalSec=60s',
      'StartLimitBurst=3',
      '[Service]',
      'ExecStart=/usr/bin/python3 -m app --port 80',
      'Restart=on-failure',
      'RestartSec=10',
      'Environment=PYTHONUNBUFFERED=1 "GREETING=hello world"',
      'User=app',
      'WorkingDirectory=/srv/app',
      '[Install]',
      'WantedBy=multi-user.target',
    ].join('\n'),
  );
  assert.deepEqual(config.programs.app, {
    command: ['/usr/bin/python3', '-m', 'app', '--port', '80'],
    cwd: '/srv/app',
    env: { PYTHONUNBUFFERED: '1', GREETING: 'hello world' },
    restart: 'on-failure',
    restartDelay: '10s',
    backoff: { initial: '10s', multiplier: 1 },
    giveUp: { failures: 3, within: '1m' },
    user: 'app',
  });
  assert.ok(notes.some((note) => note.option === 'Restart' && /SIGTERM/.test(note.reason)));
});

test('ExecStart follows systemd quoting; $VAR and ${VAR} are left to /bin/sh at run time', () => {
  const plain = importOne('[Service]\nExecStart=/bin/echo "a b" \'c\\x20d\' 50%% $$HOME\n');
  assert.deepEqual(plain.config.programs.app?.command, ['/bin/echo', 'a b', 'c d', '50%', '$HOME']);
  const expanded = importOne('[Service]\nExecStart=/bin/app --port ${PORT} $ARGS\n');
  assert.equal(expanded.config.programs.app?.command, '/bin/app --port "$${PORT}" $ARGS');
});

test('a template becomes instances, counted from the units that name them; dependencies between imported units', () => {
  const { config } = importSystemd([
    { path: 'web@.service', text: '[Unit]\nAfter=db.service\n[Service]\nExecStart=/bin/web\n' },
    {
      path: 'web.target',
      text: '[Unit]\nWants=web@0.service web@1.service web@2.service\n[Install]\nWantedBy=multi-user.target\n',
    },
    {
      path: 'db.service',
      text: '[Service]\nExecStart=/bin/db\nType=notify\n[Install]\nWantedBy=multi-user.target\n',
    },
  ]);
  assert.equal(config.programs.web?.instances, 3);
  assert.deepEqual(config.programs.web?.dependsOn, ['db']);
  assert.equal(config.programs.db?.ready, 'notify');
  assert.equal(config.programs.web?.autostart, undefined, 'enabled through its target');
});

test("tend's own export reads back: the offset wrapper, %i, forced restarts and success codes", () => {
  const { config, notes } = importOne(
    [
      '[Service]',
      'ExecStart=/bin/sh -c "PORT=$$((PORT + %i)); export PORT; exec node web-api.mjs"',
      'Environment="TEND_INSTANCE=%i"',
      'Restart=on-failure',
      'RestartForceExitStatus=SIGHUP SIGINT SIGTERM SIGPIPE 0',
      'SuccessExitStatus=3',
      'StartLimitIntervalSec=0',
    ].join('\n'),
    'api@.service',
  );
  const api = config.programs.api;
  assert.equal(api?.command, 'node web-api.mjs');
  assert.deepEqual(api?.offsetEnv, ['PORT']);
  assert.deepEqual(api?.successExitCodes, [3]);
  assert.equal(api?.giveUp, undefined);
  assert.equal(api?.env, undefined);
  assert.ok(!notes.some((note) => note.option === 'Restart'), JSON.stringify(notes));
});

test('what has no tend equivalent is noted, once per key group', () => {
  const { notes } = importOne(
    '[Unit]\nOnFailure=alert.service\n[Service]\nExecStart=/bin/app\nExecStartPre=/bin/prep\nKillMode=process\nProtectSystem=strict\nPrivateTmp=yes\n',
  );
  const options = notes.map((note) => note.option);
  assert.ok(options.includes('ExecStartPre'));
  assert.ok(options.includes('KillMode'));
  assert.ok(options.includes('ProtectSystem, PrivateTmp, OnFailure'), options.join(' | '));
  assert.ok(options.includes('[Install]'), 'no WantedBy: autostart false');
});

test('an empty ExecStart= resets it; of two commands the last is kept, noted', () => {
  const reset = importOne('[Service]\nExecStart=/bin/a\nExecStart=\nExecStart=/bin/b\n');
  assert.deepEqual(reset.config.programs.app?.command, ['/bin/b']);
  assert.ok(!reset.notes.some((note) => note.option === 'ExecStart'));
  const two = importOne('[Service]\nType=oneshot\nExecStart=/bin/a\nExecStart=/bin/b\n');
  assert.deepEqual(two.config.programs.app?.command, ['/bin/b']);
  assert.ok(two.notes.some((note) => note.option === 'ExecStart' && /only the last/.test(note.reason)));
});

test('SuccessAction=exit with FailureAction=exit is onExit: shutdown', () => {
  const both = importOne('[Unit]\nSuccessAction=exit\nFailureAction=exit\n[Service]\nExecStart=/bin/app\n');
  assert.equal(both.config.programs.app?.onExit, 'shutdown');
  const one = importOne('[Unit]\nFailureAction=reboot\n[Service]\nExecStart=/bin/app\n');
  assert.equal(one.config.programs.app?.onExit, undefined);
  assert.ok(one.notes.some((note) => note.option === 'SuccessAction'));
});

test('ExecReload=kill -HUP $MAINPID is reloadSignal; PIDFile= is pidFile', () => {
  const { config, notes } = importOne(
    '[Service]\nExecStart=/usr/sbin/nginx -g "daemon off;"\nExecReload=/bin/kill -s HUP $MAINPID\nPIDFile=nginx.pid\n',
  );
  assert.equal(config.programs.app?.reloadSignal, 'HUP');
  assert.equal(config.programs.app?.pidFile, '/run/nginx.pid');
  assert.ok(!notes.some((note) => note.option === 'ExecReload'));
  const other = importOne('[Service]\nExecStart=/bin/app\nExecReload=/bin/app --reload\n');
  assert.ok(other.notes.some((note) => note.option === 'ExecReload'));
});

test('MemoryMax=, CPUQuota= and TasksMax= are limits', () => {
  const { config, notes } = importOne(
    '[Service]\nExecStart=/bin/app\nMemoryMax=512M\nCPUQuota=150%\nTasksMax=64\n',
  );
  assert.deepEqual(config.programs.app?.limits, { memory: '512MB', cpu: 1.5, pids: 64 });
  assert.deepEqual(
    notes.filter((note) => /Memory|CPU|Tasks/.test(note.option)),
    [],
  );
});

test('.socket units become the sockets of the service they activate, names and modes kept', () => {
  const { config, notes } = importSystemd([
    {
      path: 'db.service',
      text: '[Unit]\nRequires=db.socket db-admin.socket\n[Service]\nExecStart=/bin/db\nSockets=db.socket db-admin.socket\n[Install]\nWantedBy=multi-user.target\n',
    },
    {
      path: 'db.socket',
      text: '[Socket]\nListenStream=127.0.0.1:5432\nFileDescriptorName=db\nBacklog=511\nService=db.service\n',
    },
    {
      path: 'db-admin.socket',
      text: '[Socket]\nListenStream=/run/db.sock\nFileDescriptorName=admin\nSocketMode=600\nService=db.service\n',
    },
    { path: 'web.socket', text: '[Socket]\nListenStream=8080\nAccept=yes\n' },
  ]);
  assert.deepEqual(config.programs.db?.sockets, [
    { address: 'tcp://127.0.0.1:5432', name: 'db', backlog: 511 },
    { address: 'unix:/run/db.sock', name: 'admin', mode: '0600' },
  ]);
  assert.equal(config.programs.db?.dependsOn, undefined, 'its sockets are no dependency');
  assert.deepEqual(
    notes.map((note) => note.option),
    ['Accept'],
    JSON.stringify(notes),
  );
});

test('a unit without ExecStart, or no service at all, is an error naming the file', () => {
  assert.throws(() => importOne('[Service]\nType=simple\n'), /app\.service: \[Service\] has no ExecStart=/);
  assert.throws(
    () => importSystemd([{ path: 'a.timer', text: '[Timer]\nOnCalendar=daily\n' }]),
    /no \.service unit/,
  );
  assert.throws(() => importOne('ExecStart=/bin/x\n'), /app\.service:1: .* comes before any \[Section\]/);
});
