import type { ProgramSpec } from '../config/program-schema.js';
import { TendError } from '../errors.js';
import type { ProgramSnapshot } from '../program-record.js';
import { hasProcess } from '../supervisor/states.js';

// `tend up` as data: what must happen to make the programs declared in a file (desired) out of the
// programs the daemon has (existing). Pure; apply.ts carries it out.

export type PlanAction =
  | { readonly action: 'create'; readonly name: string; readonly start: boolean }
  | {
      readonly action: 'update';
      readonly name: string;
      readonly changed: readonly string[];
      readonly start: boolean;
    }
  | { readonly action: 'start'; readonly name: string }
  | { readonly action: 'unchanged'; readonly name: string }
  | { readonly action: 'remove'; readonly name: string };

export interface Plan {
  readonly source: string;
  readonly actions: readonly PlanAction[];
}

export class ForeignProgramError extends TendError {
  constructor(name: string, source: string, owner: string | null) {
    super(
      'ALREADY_EXISTS',
      `Program "${name}" exists but was not declared in ${source} (${owner ? `it comes from ${owner}` : 'it was started with tend start'}); delete or rename it`,
    );
  }
}

/** The config keys that differ between two specs (runtime-only fields never differ). */
export function getChangedKeys(before: ProgramSpec, after: ProgramSpec): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter(
    (key) =>
      stableJson((before as Record<string, unknown>)[key]) !==
      stableJson((after as Record<string, unknown>)[key]),
  );
}

export function computePlan(
  existing: readonly ProgramSnapshot[],
  desired: readonly ProgramSpec[],
  source: string,
  selection: ReadonlySet<string> | null,
): Plan {
  const byName = new Map(existing.map((snapshot) => [snapshot.spec.name, snapshot]));
  const actions: PlanAction[] = [];
  for (const spec of desired) {
    if (selection && !selection.has(spec.instanceOf ?? spec.name)) continue;
    const current = byName.get(spec.name);
    if (!current) {
      actions.push({ action: 'create', name: spec.name, start: spec.autostart });
      continue;
    }
    if (current.spec.source !== source) throw new ForeignProgramError(spec.name, source, current.spec.source);
    const changed = getChangedKeys(current.spec, spec);
    if (changed.length > 0)
      actions.push({ action: 'update', name: spec.name, changed, start: spec.autostart });
    else if (spec.autostart && !hasProcess(current.state) && current.state !== 'backoff') {
      actions.push({ action: 'start', name: spec.name });
    } else actions.push({ action: 'unchanged', name: spec.name });
  }
  if (!selection) {
    const declared = new Set(desired.map((spec) => spec.name));
    for (const snapshot of existing) {
      if (snapshot.spec.source === source && !declared.has(snapshot.spec.name)) {
        actions.push({ action: 'remove', name: snapshot.spec.name });
      }
    }
  }
  return { source, actions };
}

/** The selected programs plus everything they depend on, transitively (by program key). */
export function withDependencies(desired: readonly ProgramSpec[], names: readonly string[]): Set<string> {
  const dependsOn = new Map<string, readonly string[]>();
  for (const spec of desired) dependsOn.set(spec.instanceOf ?? spec.name, spec.dependsOn);
  const selected = new Set<string>();
  const visit = (name: string) => {
    if (selected.has(name)) return;
    selected.add(name);
    for (const dependency of dependsOn.get(name) ?? []) visit(dependency);
  };
  for (const name of names) visit(name);
  return selected;
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
