import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { type IJob, Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { type IService, Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { getValue, getValues, parseUnit, type Unit } from '../../src/config/importers/systemd-unit.js';
import { parseTimeSpan, splitUnitWords } from '../../src/config/importers/systemd-values.js';
import { createTendHome, findDaemons, fixture, ROOT, type TendHome } from './helpers.js';

// `tend export` through the real CLI, each export checked by the target's own validator:
// systemd-analyze verify, the Kubernetes OpenAPI schemas (kubernetes-models), docker-compose config.

const EXAMPLE = join(ROOT, 'examples', 'tend.yaml');
const EVERY_KEY = fixture('export/every-key.yaml');
const NOTE_LINE = /^\S+: .+: .+$/;

function createTempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function withHome(t: TestContext): Promise<TendHome> {
  const h = await createTendHome();
  t.after(async () => {
    assert.equal(existsSync(h.socket), false, 'export never starts a daemon');
    assert.deepEqual(findDaemons(h.home), []);
    await h.cleanup();
  });
  return h;
}

async function exportTo(h: TendHome, args: string[], dir: string): Promise<string[]> {
  const result = await h.tend(['export', ...args, '-o', dir]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const lines = result.stdout.trimEnd().split('\n');
  const notes = lines.filter((line) => !line.startsWith('wrote '));
  for (const line of notes) assert.match(line, NOTE_LINE);
  return notes;
}

/** Warnings count: verify exits 0 on an unknown key, so any output is a failure. */
function verifySystemd(dir: string, user: boolean): void {
  const runtime = join(dir, '.runtime');
  mkdirSync(runtime, { mode: 0o700 });
  const units = readdirSync(dir).filter((name) => name !== '.runtime');
  const args = ['verify', '--man=no', ...(user ? ['--user'] : []), ...units.map((name) => `./${name}`)];
  const result = spawnSync('systemd-analyze', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_COLOR: '0' },
  });
  assert.equal(`${result.stdout}${result.stderr}`, '', `systemd-analyze verify ${units.join(' ')}`);
  assert.equal(result.status, 0);
}

test('export systemd: the example and a config with every key pass systemd-analyze verify', async (t) => {
  const h = await withHome(t);
  for (const [file, user] of [
    [EXAMPLE, false],
    [EVERY_KEY, false],
    [EVERY_KEY, true],
  ] as const) {
    const dir = createTempDir(t, 'tend-export-systemd-');
    const notes = await exportTo(h, ['systemd', '-f', file, ...(user ? ['--user'] : [])], dir);
    assert.ok(notes.length > 0, 'what does not carry over is listed');
    verifySystemd(dir, user);
  }
  const dir = createTempDir(t, 'tend-export-systemd-');
  await exportTo(h, ['systemd', '-f', EXAMPLE], dir);
  assert.deepEqual(readdirSync(dir).sort(), [
    'api.target',
    'api@.service',
    'ticker.service',
    'worker.service',
  ]);
  const api = readFileSync(join(dir, 'api@.service'), 'utf8');
  assert.match(
    api,
    /\nExecStart=\/bin\/sh -c "PORT=\$\$\(\(PORT \+ %i\)\); export PORT; exec node web-api\.mjs"\n/,
  );
  assert.match(api, /\nStartLimitIntervalSec=60s\nStartLimitBurst=5\n/);
  const worker = readFileSync(join(dir, 'worker.service'), 'utf8');
  assert.match(worker, /\nAfter=api\.target\nWants=api\.target\n/);
  assert.match(worker, /\nRestart=on-failure\nRestartForceExitStatus=SIGHUP SIGINT SIGTERM SIGPIPE\n/);
  const everyKey = createTempDir(t, 'tend-export-systemd-');
  await exportTo(h, ['systemd', '-f', EVERY_KEY], everyKey);
  const db = readFileSync(join(everyKey, 'db.service'), 'utf8');
  assert.match(db, /\nSuccessAction=exit\nFailureAction=exit\n/, 'onExit: shutdown');
  assert.match(db, /\nSockets=db\.socket db-admin\.socket\n/);
  assert.match(db, /\nMemoryMax=512M\nCPUQuota=50%\nTasksMax=100\n/, 'limits');
  assert.match(
    readFileSync(join(everyKey, 'db-admin.socket'), 'utf8'),
    /\nListenStream=\/tmp\/tend-export-test\/db\.sock\nFileDescriptorName=admin\nBacklog=64\nSocketMode=0600\n/,
  );
  assert.match(
    readFileSync(join(everyKey, 'api@.socket'), 'utf8'),
    /\nListenStream=\[::\]:8000\n[\s\S]*\nReusePort=yes\nService=api@%i\.service\n/,
  );
  assert.match(readFileSync(join(everyKey, 'sidecar.service'), 'utf8'), /\nRestart=no\n/, 'onExit: ignore');
});

function verifyCompose(dir: string): void {
  const result = spawnSync('docker-compose', ['-f', 'compose.yaml', 'config', '--quiet'], {
    cwd: dir,
    encoding: 'utf8',
  });
  assert.equal(`${result.stdout}${result.stderr}`, '', 'docker-compose config');
  assert.equal(result.status, 0);
}

test('export compose: the example and a config with every key pass docker-compose config', async (t) => {
  const h = await withHome(t);
  for (const file of [EXAMPLE, EVERY_KEY]) {
    const dir = createTempDir(t, 'tend-export-compose-');
    const notes = await exportTo(h, ['compose', '-f', file, '--image', 'registry.local/app:1'], dir);
    assert.ok(notes.length > 0, 'what does not carry over is listed');
    verifyCompose(dir);
  }
  const dir = createTempDir(t, 'tend-export-compose-');
  const notes = await exportTo(h, ['compose', '-f', EVERY_KEY, '--image', 'api=registry.local/api:2'], dir);
  assert.ok(
    notes.some((line) => /^\(all\): image: db, job_runner\.v2, sidecar: no --image given/.test(line)),
    notes.join('\n'),
  );
  const yaml = readFileSync(join(dir, 'compose.yaml'), 'utf8');
  assert.match(yaml, /\n {2}api:\n {4}image: registry\.local\/api:2\n {4}init: true\n/);
  assert.match(yaml, /\n {4}restart: "no"\n/, 'quoted, or docker-compose reads a boolean');
  assert.match(yaml, /\n {4}stop_signal: SIGINT\n {4}stop_grace_period: 60s\n/);
  assert.match(yaml, /GREETING: say "hi" 50% \$\$USER\\tend\n/);
  assert.match(yaml, /\n {4}deploy:\n {6}replicas: 3\n/);
  assert.match(yaml, /\n {4}depends_on:\n {6}db:\n {8}condition: service_healthy\n/);
  assert.match(yaml, /\n {6}interval: 5s\n {6}timeout: 1s\n {6}retries: 3\n {6}start_period: 120s\n/);
});

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  ConfigMap,
  Deployment,
  Job,
  Service,
};
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Each manifest against the Kubernetes OpenAPI schema (kubernetes-models' validators), offline. */
function verifyKubernetes(dir: string): Record<string, unknown>[] {
  const docs = parseAllDocuments(readFileSync(join(dir, 'manifests.yaml'), 'utf8'));
  const manifests = docs.map((doc) => {
    assert.deepEqual(doc.errors, []);
    return doc.toJS() as { kind: string; metadata: { name: string } };
  });
  for (const manifest of manifests) {
    const Model = MODELS[manifest.kind];
    assert.ok(Model, `a known kind: ${manifest.kind}`);
    new Model(manifest as never).validate();
    assert.match(manifest.metadata.name, DNS_LABEL);
  }
  return manifests;
}

test('export kubernetes: the example and a config with every key pass the Kubernetes schema', async (t) => {
  const h = await withHome(t);
  for (const file of [EXAMPLE, EVERY_KEY]) {
    const dir = createTempDir(t, 'tend-export-k8s-');
    const notes = await exportTo(h, ['kubernetes', '-f', file], dir);
    assert.ok(notes.length > 0, 'what does not carry over is listed');
    verifyKubernetes(dir);
  }
  const dir = createTempDir(t, 'tend-export-k8s-');
  await exportTo(
    h,
    ['kubernetes', '-f', EVERY_KEY, '--image', 'registry.local/app:1', '--workdir', '/srv'],
    dir,
  );
  const manifests = verifyKubernetes(dir);
  const find = (kind: string, name: string) =>
    manifests.find((m) => m.kind === kind && (m.metadata as { name: string }).name === name) as unknown;
  const db = (find('Deployment', 'db') as IDeployment).spec?.template.spec;
  assert.equal(db?.terminationGracePeriodSeconds, 60);
  assert.equal(db?.containers[0]?.workingDir, '/srv/data');
  assert.equal(db?.containers[0]?.image, 'registry.local/app:1');
  assert.deepEqual(
    db?.containers[0]?.readinessProbe?.tcpSocket,
    { port: 5432 },
    'a 127.0.0.1 host is dropped',
  );
  assert.equal(db?.containers[0]?.startupProbe?.failureThreshold, 24, 'startTimeout 2m at a 5s period');
  const api = (find('Job', 'api') as IJob).spec;
  assert.equal(api?.parallelism, 3);
  const container = api?.template.spec?.containers[0];
  assert.equal(container?.readinessProbe?.httpGet?.path, '/health?deep=1');
  assert.equal(container?.readinessProbe?.successThreshold, 2);
  assert.equal(container?.livenessProbe?.initialDelaySeconds, 5);
  assert.equal(container?.startupProbe?.failureThreshold, 30, 'a budget of 1m at a 2s period');
  assert.deepEqual(api?.template.spec?.containers[0]?.envFrom, [
    { secretRef: { name: 'envfile-shared-env' } },
    { secretRef: { name: 'envfile-api-env' } },
    { configMapRef: { name: 'api-env' } },
  ]);
  assert.equal((find('ConfigMap', 'api-env') as IConfigMap).data?.PORT, '8000');
  assert.ok(
    !readFileSync(join(dir, 'manifests.yaml'), 'utf8').includes('s3cr3t-value'),
    'env files are never inlined',
  );
  assert.equal((find('Job', 'job-runner-v2') as IJob).spec?.suspend, true);
  assert.deepEqual((find('Service', 'db') as IService).spec?.ports, [
    { name: 'db', port: 5432, targetPort: 'db', protocol: 'TCP' },
  ]);
});

test('export refuses to overwrite (exit 5), names unknown programs and targets (exit 2), prints with --stdout', async (t) => {
  const h = await withHome(t);
  const dir = createTempDir(t, 'tend-export-args-');
  writeFileSync(join(dir, 'ticker.service'), '# mine\n');
  const refused = await h.tend(['export', 'systemd', '-f', EXAMPLE, '-o', dir, 'ticker']);
  assert.equal(refused.code, 5, refused.stderr);
  assert.match(refused.stderr, /ticker\.service already exists; use --force to overwrite it/);
  assert.equal(readFileSync(join(dir, 'ticker.service'), 'utf8'), '# mine\n');

  const forced = await h.tend(['export', 'systemd', '-f', EXAMPLE, '-o', dir, 'ticker', '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(readdirSync(dir), ['ticker.service']);

  const printed = await h.tend(['export', 'systemd', '-f', EXAMPLE, '--stdout', 'worker']);
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(printed.stdout, /^# worker: exported by `tend export systemd` from .*tend\.yaml\.\n/);

  const bad: [string[], RegExp][] = [
    [['export', 'upstart', '-f', EXAMPLE], /expected systemd.*, got "upstart"/],
    [
      ['export', 'systemd', '-f', EXAMPLE, 'nope'],
      /no program "nope" in .*tend\.yaml \(it has api, worker, ticker\)/,
    ],
    [['export', 'systemd', '-f', join(dir, 'missing.yaml')], /missing\.yaml/],
  ];
  for (const [args, pattern] of bad) {
    const result = await h.tend(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
  }
});

function getRestartSemantics(unit: Unit) {
  const span = (section: string, key: string) => parseTimeSpan(getValue(unit, section, key) ?? '');
  const split = { unit: unit.name, variables: true, unknownSpecifiers: new Set<string>() };
  return {
    Restart: getValue(unit, 'Service', 'Restart'),
    RestartSec: span('Service', 'RestartSec'),
    StartLimitIntervalSec: span('Unit', 'StartLimitIntervalSec'),
    StartLimitBurst: getValue(unit, 'Unit', 'StartLimitBurst'),
    ExecStart: splitUnitWords(getValue(unit, 'Service', 'ExecStart') ?? '', split),
    User: getValue(unit, 'Service', 'User'),
    WorkingDirectory: getValue(unit, 'Service', 'WorkingDirectory'),
    WantedBy: getValue(unit, 'Install', 'WantedBy'),
  };
}

test('round trip: the typical hand-written unit imports, then exports back with the same restart semantics', async (t) => {
  const h = await withHome(t);
  const dir = createTempDir(t, 'tend-roundtrip-');
  // systemd-analyze verify wants ExecStart's program to exist: a stub stands in for the venv's python.
  const python = join(dir, 'venv', 'bin', 'python');
  mkdirSync(dirname(python), { recursive: true });
  writeFileSync(python, '#!/bin/sh\n', { mode: 0o755 });
  const seed = readFileSync(fixture('import/systemd/scraper.service'), 'utf8').replace(
    '/srv/scraper/venv/bin/python',
    python,
  );
  writeFileSync(join(dir, 'scraper.service'), seed);
  const imported = await h.tend([
    'import',
    'systemd',
    join(dir, 'scraper.service'),
    '-o',
    join(dir, 'tend.yaml'),
  ]);
  assert.equal(imported.code, 0, imported.stderr);
  const units = join(dir, 'units');
  const notes = await exportTo(h, ['systemd', '-f', join(dir, 'tend.yaml')], units);
  assert.deepEqual(
    notes.filter((line) => /: (backoff|restartDelay|restart): /.test(line)),
    [],
    'nothing about restarts is lost',
  );
  verifySystemd(units, false);

  const original = parseUnit(seed, 'scraper.service');
  const exported = parseUnit(readFileSync(join(units, 'scraper.service'), 'utf8'), 'scraper.service');
  assert.deepEqual(getRestartSemantics(exported), getRestartSemantics(original));
  assert.ok(getValues(exported, 'Service', 'Environment').includes('"PYTHONUNBUFFERED=1"'));
  // tend restarts on-failure after a death by any signal, as the import noted; the export says so to systemd.
  assert.equal(getValue(exported, 'Service', 'RestartForceExitStatus'), 'SIGHUP SIGINT SIGTERM SIGPIPE');
});

test("tend's own systemd export of every key imports back and exports to the same units", async (t) => {
  const h = await withHome(t);
  const dir = createTempDir(t, 'tend-roundtrip-all-');
  await exportTo(h, ['systemd', '-f', EVERY_KEY], join(dir, 'first'));
  const names = readdirSync(join(dir, 'first')).sort();
  const units = names.map((name) => join(dir, 'first', name));
  const imported = await h.tend(['import', 'systemd', ...units, '-o', join(dir, 'tend.yaml')]);
  assert.equal(imported.code, 0, imported.stderr);
  await exportTo(h, ['systemd', '-f', join(dir, 'tend.yaml')], join(dir, 'second'));
  assert.deepEqual(readdirSync(join(dir, 'second')).sort(), names);
  const settings = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#'));
  for (const name of names)
    assert.deepEqual(settings(join(dir, 'second', name)), settings(join(dir, 'first', name)), name);
});

test('docs/beyond-one-machine.md shows what tend export writes for the bundled example today', async (t) => {
  const h = await withHome(t);
  const app = join(createTempDir(t, 'tend-export-docs-'), 'acme');
  mkdirSync(app);
  writeFileSync(join(app, 'tend.yaml'), readFileSync(EXAMPLE));
  const doc = readFileSync(join(ROOT, 'docs', 'beyond-one-machine.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## The bundled example, exported'));
  const blocks = [...section.matchAll(/```(?:ini|yaml)\n([\s\S]*?)\n```/g)].map((match) => match[1]);
  const image = ['--image', 'registry.example.com/acme:1.4'];
  const targets = [['systemd'], ['kubernetes', ...image], ['compose', ...image]];
  for (const [index, args] of targets.entries()) {
    const result = await h.tend(['export', ...args, '--stdout'], { cwd: app });
    assert.equal(result.code, 0, result.stderr);
    // The doc shows the example copied to /srv/acme.
    assert.equal(blocks[index], result.stdout.trimEnd().replaceAll(app, '/srv/acme'), `${args[0]} block`);
  }
});
