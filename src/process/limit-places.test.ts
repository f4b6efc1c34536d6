import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceController, ResourceLimits } from './cgroup.js';
import { describeControllers, type LimitCgroups, placeLimits } from './limit-places.js';

// Which cgroup carries each limit, and what show and the daemon log say about the rest.

const LIMITS: ResourceLimits = { memory: 64 * 1024 * 1024, cpu: null, pids: 50 };
const V2 = { path: '/sys/fs/cgroup/unified/tend-x', controllers: new Set<string>() };
const HYBRID: LimitCgroups = {
  v2: V2,
  v1: {
    trees: new Map<ResourceController, string>([['memory', '/sys/fs/cgroup/memory/tend-x']]),
    failures: new Map<ResourceController, string>([['pids', 'no hierarchy has it']]),
  },
  whyNotV2: 'not enabled in /sys/fs/cgroup/unified/tend-x/cgroup.subtree_control',
};

test('a limit goes to v2 where its tree has the controller, else to v1, else into the note', () => {
  const placed = placeLimits(HYBRID, LIMITS, '/sys/fs/cgroup/unified/tend-x/web.program', {
    places: new Map([['memory', '/sys/fs/cgroup/memory/tend-x/web.program']]),
  });
  assert.deepEqual(placed.limits, {
    memory: { version: 1, cgroup: '/sys/fs/cgroup/memory/tend-x/web.program' },
  });
  assert.equal(
    placed.note,
    'limits not applied: no pids controller (cgroup v2: not enabled in /sys/fs/cgroup/unified/tend-x/cgroup.subtree_control; cgroup v1: no hierarchy has it)',
  );
  const delegated = { ...HYBRID, v2: { ...V2, controllers: new Set(['memory', 'pids']) } };
  const inV2 = placeLimits(delegated, LIMITS, '/v2/web.program', null);
  assert.deepEqual(inV2, {
    limits: {
      memory: { version: 2, cgroup: '/v2/web.program' },
      pids: { version: 2, cgroup: '/v2/web.program' },
    },
    note: null,
  });
});

test('with no v2 tree the v1 cgroups still carry limits; with no cgroups at all the note says why', () => {
  const v1Only: LimitCgroups = { ...HYBRID, v2: null, whyNotV2: 'no cgroup2 hierarchy is mounted' };
  const placed = placeLimits(v1Only, { ...LIMITS, pids: null }, null, {
    places: new Map([['memory', '/m/web.program']]),
  });
  assert.deepEqual(placed, { limits: { memory: { version: 1, cgroup: '/m/web.program' } }, note: null });
  const none = placeLimits({ v2: null, v1: null, whyNotV2: 'TEND_NO_CGROUP=1' }, LIMITS, null, null);
  assert.deepEqual(none.limits, {});
  assert.match(
    none.note ?? '',
    /no memory controller \(no cgroup for this daemon: TEND_NO_CGROUP=1\); no pids/,
  );
});

test('the daemon log names where each controller goes', () => {
  assert.equal(
    describeControllers(HYBRID),
    'memory in cgroup v1 /sys/fs/cgroup/memory/tend-x; ' +
      'cpu not applied (cgroup v2: not enabled in /sys/fs/cgroup/unified/tend-x/cgroup.subtree_control; cgroup v1: no tree); ' +
      'pids not applied (cgroup v2: not enabled in /sys/fs/cgroup/unified/tend-x/cgroup.subtree_control; cgroup v1: no hierarchy has it)',
  );
});
