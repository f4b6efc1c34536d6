import { formatDidYouMean } from '../did-you-mean.js';
import type { Problem } from './problems.js';

// dependsOn: every name must be a program of the file, the graph must have no cycle, and programs
// start in dependency order (stable: file order among programs that do not depend on each other).

export interface DependencyNode {
  name: string;
  dependsOn: readonly string[];
}

function findUnknown(nodes: readonly DependencyNode[], problems: Problem[]) {
  const names = nodes.map((node) => node.name);
  for (const node of nodes) {
    node.dependsOn.forEach((dependency, index) => {
      if (names.includes(dependency)) return;
      problems.push({
        path: ['programs', node.name, 'dependsOn', index],
        message: `expected the name of a program in this file (${names.join(', ')}), found "${dependency}"${formatDidYouMean(dependency, names)}`,
      });
    });
  }
}

/** Each cycle once, as names from its earliest program in file order back to it. */
function findCycles(nodes: readonly DependencyNode[]): string[][] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = stack.slice(stack.indexOf(name));
      const id = [...cycle].sort().join('\0');
      if (!seen.has(id)) {
        seen.add(id);
        const order = nodes.map((node) => node.name);
        const first = cycle.reduce(
          (best, n, i) => (order.indexOf(n) < order.indexOf(cycle[best] ?? '') ? i : best),
          0,
        );
        const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
        cycles.push([...rotated, rotated[0] ?? name]);
      }
      return;
    }
    state.set(name, 'visiting');
    stack.push(name);
    for (const dependency of byName.get(name)?.dependsOn ?? []) if (byName.has(dependency)) visit(dependency);
    stack.pop();
    state.set(name, 'done');
  };
  for (const node of nodes) visit(node.name);
  return cycles;
}

/** The names in start order, or an empty list when `problems` got a bad name or a cycle. */
export function orderByDependencies(nodes: readonly DependencyNode[], problems: Problem[]): string[] {
  const before = problems.length;
  findUnknown(nodes, problems);
  for (const cycle of findCycles(nodes)) {
    problems.push({
      path: ['programs', cycle[0] ?? '', 'dependsOn'],
      message: `expected no dependency cycle, found ${cycle.join(' → ')}`,
    });
  }
  if (problems.length > before) return [];
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < nodes.length) {
    const next = nodes.find((node) => !placed.has(node.name) && node.dependsOn.every((d) => placed.has(d)));
    if (!next) break;
    order.push(next.name);
    placed.add(next.name);
  }
  return order;
}
