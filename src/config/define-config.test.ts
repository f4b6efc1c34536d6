import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineConfig } from './define-config.js';

test('defineConfig returns its argument unchanged', () => {
  const config = {
    programs: { api: { command: 'node a.js', instances: 'max' as const, stopTimeout: '10s' as const } },
  };
  assert.equal(defineConfig(config), config);
});
