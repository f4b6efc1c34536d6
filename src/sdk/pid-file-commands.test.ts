import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseControlArgs } from './pid-file-commands.js';

test('control commands parse, with signal names in any spelling', () => {
  assert.deepEqual(parseControlArgs(['start']), { name: 'start' });
  assert.deepEqual(parseControlArgs(['signal', 'usr1']), { name: 'signal', signal: 'SIGUSR1' });
  assert.deepEqual(parseControlArgs(['signal', 'SIGHUP']), { name: 'signal', signal: 'SIGHUP' });
});

test('bad control arguments say what was wrong', () => {
  assert.equal(parseControlArgs([]), 'no command given');
  assert.equal(parseControlArgs(['jump']), 'unknown command "jump"');
  assert.equal(parseControlArgs(['stop', 'now']), 'stop takes no arguments (got now)');
  assert.equal(parseControlArgs(['signal']), 'signal needs exactly one signal name, such as USR1');
  assert.equal(parseControlArgs(['signal', 'NOPE']), 'unknown signal "NOPE"');
});
