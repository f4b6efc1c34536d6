import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderByDependencies } from './dependency-order.js';
import type { Problem } from './problems.js';

const node = (name: string, ...dependsOn: string[]) => ({ name, dependsOn });

describe('orderByDependencies', () => {
  test('puts every program after the programs it depends on', () => {
    const order = orderByDependencies(
      [node('web', 'api'), node('api', 'db', 'cache'), node('db'), node('cache')],
      [],
    );
    assert.deepEqual(order, ['db', 'cache', 'api', 'web']);
  });

  test('keeps file order among independent programs', () => {
    assert.deepEqual(orderByDependencies([node('c'), node('a'), node('b')], []), ['c', 'a', 'b']);
    assert.deepEqual(orderByDependencies([node('c', 'b'), node('a'), node('b')], []), ['a', 'b', 'c']);
  });

  test('an unknown name is a problem at that value, with a suggestion', () => {
    const problems: Problem[] = [];
    assert.deepEqual(orderByDependencies([node('db'), node('api', 'db', 'dbb')], problems), []);
    assert.deepEqual(problems, [
      {
        path: ['programs', 'api', 'dependsOn', 1],
        message: 'expected the name of a program in this file (db, api), found "dbb" (did you mean "db"?)',
      },
    ]);
  });

  test('a cycle is a problem that names it, from its first program in the file', () => {
    const problems: Problem[] = [];
    orderByDependencies([node('db'), node('worker', 'api'), node('api', 'db', 'worker')], problems);
    assert.deepEqual(problems, [
      {
        path: ['programs', 'worker', 'dependsOn'],
        message: 'expected no dependency cycle, found worker → api → worker',
      },
    ]);
  });

  test('a program depending on itself is a cycle', () => {
    const problems: Problem[] = [];
    orderByDependencies([node('api', 'api')], problems);
    assert.equal(problems[0]?.message, 'expected no dependency cycle, found api → api');
  });

  test('reports each separate cycle once', () => {
    const problems: Problem[] = [];
    orderByDependencies(
      [node('a', 'b'), node('b', 'a'), node('c', 'd'), node('d', 'e'), node('e', 'c')],
      problems,
    );
    assert.deepEqual(
      problems.map((problem) => problem.message),
      ['expected no dependency cycle, found a → b → a', 'expected no dependency cycle, found c → d → e → c'],
    );
  });
});
