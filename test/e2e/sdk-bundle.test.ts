import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSandbox, NOTIFY_RECEIVER, startProcess, waitForExit } from '../fixtures/sdk/helpers.js';
import { waitFor } from './helpers.js';

// The package export `tend/daemon` as users import it: the esbuild bundle (npm test builds it first).

const BUNDLED_DAEMON = fileURLToPath(new URL('../fixtures/sdk/bundled-daemon.mjs', import.meta.url));

test("import { createDaemon } from 'tend/daemon' works from the bundle, sd_notify included", async (t) => {
  const sandbox = await createSandbox(t);
  const socket = join(sandbox.dir, 'notify.sock');
  const receiver = startProcess(sandbox, 'python3', [NOTIFY_RECEIVER, socket]);
  await waitFor(() => receiver.output().startsWith('bound\n'), 5000, 'the receiver to bind');
  const daemon = startProcess(sandbox, process.execPath, [BUNDLED_DAEMON], {
    env: { NOTIFY_SOCKET: socket },
  });
  await waitFor(() => receiver.output().includes('READY=1'), 10_000, 'READY=1');
  assert.match(receiver.output(), /STATUS=bundled and running\nREADY=1\n/);
  daemon.child.kill('SIGTERM');
  assert.equal((await waitForExit(daemon, 10_000)).code, 0);
  assert.match(daemon.output(), /bundled stop hook/);
});
