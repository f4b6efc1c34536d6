import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { assertStays, createTendHome, fixture, isAlive, ROOT, type TendHome, waitFor } from './helpers.js';

// `tend daemon run -f tend.yaml` as a container's PID 1: under `unshare --pid --fork --mount-proc`
// the daemon is PID 1 of a new pid namespace (what `docker run` gives an entrypoint). The test plays
// the container runtime: it reads the output, sends the signals, reads the exit status.

const TEND_BIN = join(ROOT, 'bin', 'tend.js');
const canUnshare = process.getuid?.() === 0;
const EXIT_TIMEOUT_MS = 20_000;

// A program that says hello, then on SIGTERM says bye and exits 0.
// (An argv, so the trapping shell is the main process the stop signal is for.)
const POLITE = `["sh", "-c", "trap 'echo bye; exit 0' TERM; echo hello; while :; do sleep 0.1; done"]`;

interface Container {
  /** The daemon's pid as seen from here (it is 1 inside). */
  readonly pid: number;
  output(): string;
  exited: Promise<number | null>;
}

async function runContainer(t: TestContext, h: TendHome, yaml: string): Promise<Container> {
  const file = join(h.home, 'tend.yaml');
  writeFileSync(file, yaml);
  return runInNamespace(t, h, [process.execPath, TEND_BIN, 'daemon', 'run', '-f', file]);
}

async function runInNamespace(
  t: TestContext,
  h: TendHome,
  argv: string[],
  env: Record<string, string> = {},
): Promise<Container> {
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...argv], {
    env: { ...process.env, TEND_HOME: h.home, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no exit within ${EXIT_TIMEOUT_MS} ms:\n${output}`)),
      EXIT_TIMEOUT_MS,
    );
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  exited.catch(() => {});
  t.after(() => child.kill('SIGKILL'));
  const unsharePid = child.pid as number;
  const pid = await waitFor(
    () => {
      try {
        return (
          Number(readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim()) || false
        );
      } catch {
        return false;
      }
    },
    5000,
    'the namespace init (tend) to start',
  );
  return { pid, output: () => output, exited };
}

test('as PID 1, signals that only ask for a report are not fatal, and SIGTERM stops every program gracefully, then exits 0', {
  skip: !canUnshare && 'needs root for unshare',
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const container = await runContainer(
    t,
    h,
    `programs:\n  web:\n    command: ${POLITE}\n  stubborn:\n    command: ${fixture('ignore-term.sh')}\n    stopTimeout: 500ms\n`,
  );
  await waitFor(
    () => /^web \| hello$/m.test(container.output()) && /^stubborn \| ready$/m.test(container.output()),
    10_000,
    'both programs to print to stdout as NAME | line',
  );
  const [row] = JSON.parse((await h.tend(['ls', '--json'])).stdout) as { pid: number }[];
  assert.ok(row, 'the API answers from outside the namespace');

  for (const signal of ['SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const) process.kill(container.pid, signal);
  await waitFor(() => /SIGUSR2 ignored/.test(container.output()), 5000, 'the signals to be logged');
  assert.equal(isAlive(container.pid), true, 'HUP, USR1 and USR2 do not end it');
  assert.equal((await h.tend(['daemon', 'status'])).code, 0);

  process.kill(container.pid, 'SIGTERM');
  assert.equal(await container.exited, 0, container.output());
  assert.match(container.output(), /^web \| bye$/m, 'web was asked to stop and said bye');
  assert.match(container.output(), /stubborn: stopping → stopped \(killed by SIGKILL\)/);
});

test('a program with onExit: shutdown that exits 3 stops the others and the daemon exits 3', {
  skip: !canUnshare && 'needs root for unshare',
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const container = await runContainer(
    t,
    h,
    `programs:\n  web:\n    command: ${POLITE}\n  migrate:\n    command: sh -c 'echo migrating; sleep 0.5; exit 3'\n    restart: never\n    onExit: shutdown\n`,
  );
  assert.equal(await container.exited, 3, container.output());
  assert.match(container.output(), /^migrate \| migrating$/m);
  assert.match(container.output(), /^web \| bye$/m, 'web was stopped gracefully first');
  assert.match(container.output(), /migrate ended \(exited, exit status 3\) and has onExit: shutdown/);
});

test('a container whose programs all end fatal exits non-zero instead of idling', {
  skip: !canUnshare && 'needs root for unshare',
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const container = await runContainer(
    t,
    h,
    `programs:\n  broken:\n    command: sh -c 'echo trying; exit 1'\n    giveUp: { failures: 2, within: 1m }\n    backoff: { initial: 100ms }\n`,
  );
  assert.equal(await container.exited, 1, container.output());
  assert.match(container.output(), /every program has ended, and broken fatal/);
});

/** An instruction's JSON argv from the Dockerfile, with `tend` run from this checkout. */
function getDockerArgv(dockerfile: string, instruction: RegExp): string[] {
  const line = dockerfile.split('\n').find((text) => instruction.test(text)) ?? '';
  const argv = JSON.parse(line.slice(line.indexOf('['))) as string[];
  const local: Record<string, string[]> = {
    tend: [process.execPath, TEND_BIN],
    node: [process.execPath],
    '/usr/local/bin/tend': [TEND_BIN],
  };
  return argv.flatMap((word) => local[word] ?? [word.replace('/app/', `${join(ROOT, 'examples')}/`)]);
}

test('the example Dockerfile: its entrypoint runs the example as PID 1, its health check asks tend, its stop signal stops it with 0', {
  skip: !canUnshare && 'needs root for unshare',
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const dockerfile = readFileSync(join(ROOT, 'examples', 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^FROM node:/m);
  const stopSignal = /^STOPSIGNAL (\S+)$/m.exec(dockerfile)?.[1] as NodeJS.Signals;
  const port = 20_000 + (process.pid % 20_000);
  const container = await runInNamespace(t, h, getDockerArgv(dockerfile, /^ENTRYPOINT /), {
    PORT: String(port),
  });
  await waitFor(() => /^api \| listening on /m.test(container.output()), 10_000, 'the api to listen');
  const [health, ...healthArgs] = getDockerArgv(dockerfile, /^HEALTHCHECK /);
  const healthy = spawnSync(health as string, healthArgs, { env: { ...process.env, TEND_HOME: h.home } });
  assert.equal(healthy.status, 0, String(healthy.stderr));
  const response = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(response.status, 200);

  process.kill(container.pid, stopSignal);
  assert.equal(await container.exited, 0, container.output());
  assert.match(container.output(), /^api \| SIGTERM: closing the server$/m);
});

/** The processes whose parent is `pid`, with their state letter (Z for a zombie). */
function getChildren(pid: number): { pid: number; state: string; comm: string }[] {
  const children: { pid: number; state: string; comm: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid)
        children.push({
          pid: Number(name),
          state: fields[0] ?? '',
          comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        });
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

test('as PID 1, 50 orphaned grandchildren are reaped: none is left a zombie', {
  skip: !canUnshare && 'needs root for unshare',
}, async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  // Each `(sleep 0.3 &)` is a subshell that forks a sleep and exits: the sleep is orphaned and
  // re-parented to the namespace's PID 1, tend, which must collect it when it ends.
  const container = await runContainer(
    t,
    h,
    `programs:\n  forker:\n    command: ["sh", "-c", "for i in $(seq 50); do (sleep 0.3 &); done; echo forked; exec sleep 1000"]\n`,
  );
  await waitFor(
    () => /^forker \| forked$/m.test(container.output()),
    10_000,
    'the grandchildren to be forked',
  );
  await waitFor(
    () => getChildren(container.pid).filter((child) => child.comm === 'sleep').length <= 1,
    10_000,
    'the orphaned sleeps to end and be collected',
  );
  await assertStays(() => getChildren(container.pid).every((child) => child.state !== 'Z'), 300, 'no zombie');
  assert.match(container.output(), /^forker \| forked$/m);
  process.kill(container.pid, 'SIGTERM');
  assert.equal(await container.exited, 0, container.output());
  assert.match(container.output(), /reaped 50 orphaned processes/);
});
