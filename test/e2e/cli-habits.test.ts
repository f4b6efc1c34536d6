import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createTendHome,
  findDaemons,
  findProcesses,
  fixture,
  getProgram,
  startRunning,
  waitFor,
  waitForProgram,
} from './helpers.js';

// What a new user, or one with pm2 habits, runs into: typos get a suggestion, pm2's words point to
// tend's, a misplaced command is explained, read-only verbs never start a daemon, and start waits.

const sleeper = fixture('sleeper.sh');

test('typos in verbs and flags get a did-you-mean, pm2 words point to tend verbs', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const cases: [string[], RegExp][] = [
    [['strat'], /unknown command "strat" \(did you mean "start"\?\)/],
    [['start', '--nmae', 'x', '--', sleeper], /unknown option --nmae \(did you mean "--name"\?\)/],
    [['up', '--dryrun'], /unknown option --dryrun \(did you mean "--dry-run"\?\)/],
    [['up', '-dry-run'], /unknown option -dry-run \(did you mean "--dry-run"\?\)/],
    [['describe', 'web'], /in tend that is: tend show NAME/],
    [['monit'], /in tend that is: tend ls/],
    [['startOrReload'], /unknown command "startOrReload"; in tend that is: tend up/],
    [['save'], /tend keeps its programs in its database/],
    [['resurrect'], /tend daemon start/],
    [['kill'], /tend daemon stop/],
    [['start', '--name', 'x', 'node', 'server.js'], /--name is for a new program: put its command after --/],
  ];
  for (const [args, pattern] of cases) {
    const result = await h.tend(args);
    assert.equal(result.code, 2, `tend ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
  }
  assert.deepEqual(findDaemons(h.home), [], 'no daemon was started');
});

test('`tend start server.js` says to put the command after --', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  writeFileSync(join(h.home, 'server.js'), '');
  const result = await h.tend(['start', 'server.js'], { cwd: h.home });
  assert.equal(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /no program named "server.js"; .*put the command after --: tend start -- server.js/,
  );
});

test('a single-dash word that spells a long option is warned about', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  // `-name` is -n with the value "ame": the program is created as "ame", with a warning.
  const result = await h.tend(['start', '--no-wait', '-name', '--', sleeper]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /warning: start: "-name" was read as -n ame; for the option write --name/);
});

test('read-only verbs never start a daemon; daemon stop says what comes back', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  for (const args of [['ls'], ['show', 'web'], ['events'], ['logs', 'web']]) {
    const result = await h.tend(args);
    assert.equal(result.code, 3, `tend ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /daemon is not running .*start it with: tend daemon start/);
  }
  assert.deepEqual(findDaemons(h.home), [], 'no daemon was started');

  await startRunning(h, 'web');
  const stopped = await h.tend(['daemon', 'stop']);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(
    stopped.stdout,
    /1 program will start again with the next daemon; `tend stop all` first keeps them stopped/,
  );
  assert.equal((await h.tend(['ls'])).code, 3, 'ls did not bring the program back');
  assert.deepEqual(findDaemons(h.home), []);
});

test('`tend ls NAME` of a program that does not exist exits 4', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  await startRunning(h, 'web');
  const result = await h.tend(['ls', 'nosuch']);
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /No program named "nosuch"/);
});

test('an empty argument is passed as it is; a bad value is named by its flag, in plain words', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--name',
    'p',
    '--no-wait',
    '--restart',
    'never',
    '--',
    'printf',
    '[%s]\\n',
    '',
    'x',
  ]);
  assert.equal(started.code, 0, started.stderr);
  const show = await h.tendJson<{ command: string[] }>(['show', 'p']);
  assert.deepEqual(show.command, ['printf', '[%s]\\n', '', 'x']);

  const bad = await h.tend(['start', '--restart', 'sometimes', '--', sleeper]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^tend: start: --restart: expected one of always, on-failure, never, found "sometimes"\n$/,
  );
  const empty = await h.tend(['start', '--', '', 'x']);
  assert.equal(empty.code, 2);
  assert.doesNotMatch(empty.stderr, /Too small|Invalid input/);
  assert.match(empty.stderr, /the command after --: expected the program to run/);
});

test('start waits until the program runs; a failed start exits 1 with the reason and its last lines', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const ok = await h.tend(['start', '--name', 'web', '--start-secs', '300ms', '--', sleeper]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /web: waiting until it runs \(up for 300ms\)/);
  assert.match(ok.stdout, /web: running/);
  assert.equal((await getProgram(h, 'web')).state, 'running');

  const failed = await h.tend(['start', '--name', 'bad', '--', fixture('crash.sh'), '3']);
  assert.equal(failed.code, 1, failed.stderr);
  assert.match(failed.stderr, /Program "bad" did not start: it is backoff \(exited with code 3/);
  assert.match(failed.stderr, /\| exiting with 3/);

  const noWait = await h.tend(['start', '--no-wait', '--name', 'quick', '--', sleeper]);
  assert.equal(noWait.code, 0, noWait.stderr);
  assert.match(noWait.stdout, /quick: starting/);
});

test('a program that forks into the background is told so, and what it left is stopped', async (t) => {
  const h = await createTendHome();
  t.after(h.cleanup);
  const started = await h.tend([
    'start',
    '--no-wait',
    '--restart',
    'never',
    '--name',
    'bg',
    '--',
    'sh',
    '-c',
    'setsid sleep 1000 & sleep 0.2; exit 0',
  ]);
  assert.equal(started.code, 0, started.stderr);
  const exited = await waitForProgram(h, 'bg', (row) => row.state === 'exited', 5000, 'exited');
  assert.match(
    exited.reason ?? '',
    /exited 0 after \d+ ms while 1 process\(es\) it started live on: it forks into the background/,
  );
  await waitFor(
    () => findProcesses(h.home, { TEND_PROGRAM: 'bg' }).length === 0,
    5000,
    'what it left to be stopped',
  );
});
