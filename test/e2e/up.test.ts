import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createTendHome,
  fixture,
  getEvents,
  isAlive,
  type ProgramRow,
  type TendHome,
  waitFor,
} from './helpers.js';

// tend up / down / scale against a real daemon: only the difference is applied.

async function createProject(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'tend-test-project-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const write = (yaml: string) => writeFile(join(dir, 'tend.yaml'), yaml);
  return { dir, write };
}

const sleeper = fixture('sleeper.sh');

function config(options: { workerEnv?: string; apiInstances?: number; withJob?: boolean } = {}): string {
  return `
defaults:
  startSecs: 100ms
programs:
  db:
    command: [${JSON.stringify(sleeper)}]
    startSecs: 600ms
  api:
    command: [${JSON.stringify(sleeper)}]
    instances: ${options.apiInstances ?? 2}
    offsetEnv: [PORT]
    env: { PORT: "4000" }
    dependsOn: [db]
  worker:
    command: [${JSON.stringify(sleeper)}]
    dependsOn: [api]
    env: { QUEUE: "${options.workerEnv ?? 'a'}" }
${options.withJob ? `  job:\n    command: [${JSON.stringify(sleeper)}]\n` : ''}`;
}

async function list(h: TendHome): Promise<Map<string, ProgramRow>> {
  const rows = await h.tendJson<ProgramRow[]>(['ls']);
  return new Map(rows.map((row) => [row.name, row]));
}

test('tend up starts everything in dependency order, then applies only the difference', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const project = await createProject(t);
  await project.write(config({ withJob: true }));

  const up = await h.tend(['up'], { cwd: project.dir, timeoutMs: 30_000 });
  assert.equal(up.code, 0, up.stderr);
  const rows = await list(h);
  assert.deepEqual([...rows.keys()].sort(), ['api-0', 'api-1', 'db', 'job', 'worker']);
  // db needs 600 ms to count as running: api waited for it, and worker for api.
  const started = async (name: string) =>
    (await getEvents(h, name)).find((event) => event.to === 'starting')?.time ?? Number.NaN;
  const ready = async (name: string) =>
    (await getEvents(h, name)).find((event) => event.to === 'running')?.time ?? Number.NaN;
  await waitFor(async () => (await list(h)).get('worker')?.state === 'running', 10_000, 'worker running');
  assert.ok((await started('api-0')) >= (await ready('db')), 'api starts after db is running');
  assert.ok(
    (await started('worker')) >= (await ready('api-1')),
    'worker starts after both api instances run',
  );

  const before = await list(h);
  const dry = await h.tend(['up', '--dry-run'], { cwd: project.dir });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /api-0\s+unchanged/);

  // Change the worker, drop the job, grow api to 3.
  await project.write(config({ workerEnv: 'b', apiInstances: 3 }));
  const plan = await h.tend(['up', '--dry-run'], { cwd: project.dir });
  assert.match(plan.stdout, /worker\s+update \(env\)/);
  assert.match(plan.stdout, /job\s+remove/);
  assert.match(plan.stdout, /api-2\s+create/);
  const afterDryRun = await list(h);
  for (const [name, row] of before)
    assert.equal(afterDryRun.get(name)?.pid, row.pid, `a dry run leaves ${name} alone`);

  const applied = await h.tend(['up'], { cwd: project.dir, timeoutMs: 30_000 });
  assert.equal(applied.code, 0, applied.stderr);
  const after = await list(h);
  for (const name of ['db', 'api-0', 'api-1']) {
    assert.equal(after.get(name)?.pid, before.get(name)?.pid, `${name} kept its pid`);
  }
  assert.notEqual(after.get('worker')?.pid, before.get('worker')?.pid, 'worker was restarted');
  assert.ok(!after.has('job'), 'job was removed');
  const jobPid = before.get('job')?.pid as number;
  await waitFor(() => !isAlive(jobPid), 3000, 'the removed program to be gone');
  assert.ok(after.has('api-2'));

  const down = await h.tend(['down'], { cwd: project.dir, timeoutMs: 30_000 });
  assert.equal(down.code, 0, down.stderr);
  assert.equal((await list(h)).size, 0);
});

test('a config with an error changes nothing and names file, line and column', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const project = await createProject(t);
  await project.write(
    `programs:\n  web:\n    command: [${JSON.stringify(sleeper)}]\n    restart: sometimes\n`,
  );
  const up = await h.tend(['up'], { cwd: project.dir });
  assert.equal(up.code, 2);
  assert.match(
    up.stderr,
    /tend\.yaml:4:14: programs\.web\.restart: expected one of always, on-failure, never/,
  );
  assert.equal((await h.tend(['ls'])).code, 3, 'no daemon was even started');
});

test('tend scale grows and shrinks a program without touching the running instances', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const project = await createProject(t);
  await project.write(config());
  assert.equal((await h.tend(['up', 'api'], { cwd: project.dir, timeoutMs: 30_000 })).code, 0);
  const before = await list(h);
  assert.ok(before.has('db'), 'up NAME brings its dependencies');
  assert.ok(!before.has('worker'), 'and nothing else');

  const grow = await h.tend(['scale', 'api', '4']);
  assert.equal(grow.code, 0, grow.stderr);
  const grown = await list(h);
  assert.deepEqual([...grown.keys()].filter((name) => name.startsWith('api')).sort(), [
    'api-0',
    'api-1',
    'api-2',
    'api-3',
  ]);
  assert.equal(grown.get('api-0')?.pid, before.get('api-0')?.pid);
  const shown = await h.tendJson<{ env: Record<string, string> }>(['show', 'api-3', '--show-env']);
  assert.equal(shown.env.PORT, '4000', 'the base value is stored; the offset is applied at spawn');
  assert.equal(shown.env.TEND_INSTANCE, '3', 'the shown TEND_INSTANCE is the instance’s own');

  const shrink = await h.tend(['scale', 'api', '1']);
  assert.equal(shrink.code, 0, shrink.stderr);
  const shrunk = await list(h);
  assert.deepEqual(
    [...shrunk.keys()].filter((name) => name.startsWith('api')),
    ['api-0'],
  );
  assert.equal(shrunk.get('api-0')?.pid, before.get('api-0')?.pid);
});

test('tend up refuses to take over a program that tend start created', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const project = await createProject(t);
  await project.write(`programs:\n  db:\n    command: [${JSON.stringify(sleeper)}]\n`);
  assert.equal((await h.tend(['start', '--name', 'db', '--', sleeper])).code, 0);
  const up = await h.tend(['up'], { cwd: project.dir });
  assert.equal(up.code, 5);
  assert.match(up.stderr, /"db" exists but was not declared/);
});

test('user, group and umask from the file reach the process (needs a root daemon)', async (t) => {
  if (process.getuid?.() !== 0) {
    t.skip('not running as root');
    return;
  }
  const h = await createTendHome();
  t.after(h.cleanup);
  const project = await createProject(t);
  // A child that runs as nobody must be able to reach the fixture: /tmp paths are world-readable.
  await project.write(
    `programs:\n  low:\n    command: "sleep 1000"\n    user: nobody\n    umask: "077"\n    cwd: /tmp\n`,
  );
  const up = await h.tend(['up'], { cwd: project.dir, timeoutMs: 30_000 });
  assert.equal(up.code, 0, up.stderr);
  const pid = (await list(h)).get('low')?.pid as number;
  const { readFileSync } = await import('node:fs');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  assert.match(status, /^Uid:\s+65534\b/m);
  assert.match(status, /^Umask:\s+0077$/m);
  const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  assert.ok(environ.includes('USER=nobody'), 'USER follows the user');
  assert.ok(environ.some((entry) => entry.startsWith('HOME=') && entry !== `HOME=${process.env.HOME}`));
});

test('up names the programs that failed to start and exits 1', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const project = await createProject(t);
  // Executable, so accepted at create; its interpreter does not exist, so the exec fails.
  const broken = join(project.dir, 'broken.sh');
  await writeFile(broken, '#!/nonexistent/interpreter\n', { mode: 0o755 });
  await project.write(`programs:
  good:
    command: [${JSON.stringify(sleeper)}]
    startSecs: 100ms
  broken:
    command: [${JSON.stringify(broken)}]
`);
  const up = await h.tend(['up'], { cwd: project.dir });
  assert.equal(up.code, 1, up.stdout);
  assert.match(up.stderr, /^tend: broken: failed to start: spawn failed: .*ENOENT/m);
  assert.doesNotMatch(up.stderr, /good/);
  const rows = await h.tendJson<ProgramRow[]>(['ls']);
  assert.equal(rows.find((row) => row.name === 'broken')?.state, 'fatal');
});
