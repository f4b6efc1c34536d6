import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProgramSpec } from '../config/program-schema.js';
import type { ProgramSnapshot, State, StateChange } from '../program-record.js';
import { decideDaemonExit, getExitStatus } from './exit-policy.js';

function program(
  name: string,
  state: State,
  extra: {
    onExit?: ProgramSpec['onExit'];
    exitCode?: number | null;
    exitSignal?: NodeJS.Signals | null;
  } = {},
): ProgramSnapshot {
  return {
    spec: { name, onExit: extra.onExit ?? 'restart' } as ProgramSpec,
    state,
    exitCode: extra.exitCode ?? null,
    exitSignal: extra.exitSignal ?? null,
  } as ProgramSnapshot;
}

function change(name: string, from: State, to: State): StateChange {
  return { name, from, to, event: 'exit', reason: null, pid: 1, exit: null };
}

const container = { exitWhenAllEnded: true };
const desktop = { exitWhenAllEnded: false };

describe('decideDaemonExit', () => {
  test('a shutdown program that exits 3 ends the daemon with 3', () => {
    const key = program('key', 'exited', { onExit: 'shutdown', exitCode: 3 });
    const web = program('web', 'running');
    assert.deepEqual(decideDaemonExit(change('key', 'running', 'exited'), key, [key, web], desktop)?.code, 3);
  });

  test('a shutdown program killed by SIGTERM gives 143; a fatal one its last code', () => {
    assert.equal(getExitStatus(program('a', 'exited', { exitSignal: 'SIGTERM' })), 143);
    const fatal = program('key', 'fatal', { onExit: 'shutdown', exitCode: 2 });
    assert.equal(decideDaemonExit(change('key', 'backoff', 'fatal'), fatal, [fatal], desktop)?.code, 2);
  });

  test('a stop by the user never ends the daemon', () => {
    const key = program('key', 'stopped', { onExit: 'shutdown', exitCode: 0 });
    assert.equal(decideDaemonExit(change('key', 'stopping', 'stopped'), key, [key], container), null);
  });

  test('in a container, all programs ended with one fatal exits non-zero; one still running keeps it', () => {
    const a = program('a', 'fatal');
    const b = program('b', 'exited', { exitCode: 0 });
    assert.equal(decideDaemonExit(change('a', 'backoff', 'fatal'), a, [a, b], container)?.code, 1);
    const c = program('c', 'running');
    assert.equal(decideDaemonExit(change('a', 'backoff', 'fatal'), a, [a, b, c], container), null);
    assert.equal(decideDaemonExit(change('b', 'running', 'exited'), b, [b], container)?.code, 0);
  });

  test('outside a container, all fatal leaves the daemon running (the next tend command sees them)', () => {
    const a = program('a', 'fatal');
    assert.equal(decideDaemonExit(change('a', 'backoff', 'fatal'), a, [a], desktop), null);
  });
});
