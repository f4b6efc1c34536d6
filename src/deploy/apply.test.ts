import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ProgramSpec, programInputSchema } from '../config/program-schema.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { applyPlan } from './apply.js';
import type { Plan } from './plan.js';

// tend up writes the database in one transaction per stretch without waiting (section 5 of issue 10).

function spec(name: string, dependsOn: string[] = []): ProgramSpec {
  return { ...programInputSchema.parse({ name, command: ['true'], dependsOn }), cwd: '/' };
}

function fakeSupervisor(log: string[]): Supervisor {
  return {
    batch(steps: (() => void)[]) {
      log.push(`batch of ${steps.length}`);
      for (const step of steps) step();
    },
    create: (created: ProgramSpec) => log.push(`create ${created.name}`),
    start: (name: string) => log.push(`start ${name}`),
    list: () => [{ spec: spec('db'), state: 'running' }],
    waitForState: async () => ({ state: 'running' }),
  } as unknown as Supervisor;
}

test('creating many programs with no dependencies between them is one batch', async () => {
  const log: string[] = [];
  const desired = ['a', 'b', 'c'].map((name) => spec(name));
  const plan: Plan = {
    source: 'tend.yaml',
    actions: desired.map((program) => ({ action: 'create', name: program.name, start: true })),
  };
  await applyPlan(fakeSupervisor(log), plan, desired);
  assert.deepEqual(log, ['batch of 3', 'create a', 'create b', 'create c']);
});

test('a dependency splits the batches: what it waits for is written before the wait', async () => {
  const log: string[] = [];
  const desired = [spec('db'), spec('api', ['db']), spec('worker')];
  const plan: Plan = {
    source: 'tend.yaml',
    actions: desired.map((program) => ({ action: 'create', name: program.name, start: true })),
  };
  await applyPlan(fakeSupervisor(log), plan, desired);
  assert.deepEqual(log, ['batch of 1', 'create db', 'batch of 2', 'create api', 'create worker']);
});
