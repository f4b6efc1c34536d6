import { PROGRAM_KEY_ORDER, type TendYamlConfig, type TendYamlLogs, type TendYamlProgram } from './types.js';

// Puts every program's keys in tend.yaml order and moves settings that all programs share into
// `defaults`, so an import of ten supervisord programs does not repeat `restart: on-failure` ten times.

/** Settings of how a program runs, not of which program it is: these may move into `defaults`. */
const PER_PROGRAM_KEYS: ReadonlySet<keyof TendYamlProgram> = new Set([
  'command',
  'cwd',
  'instances',
  'offsetEnv',
  'env',
  'dependsOn',
  'logs',
  'sockets',
]);
const HOISTABLE_KEYS = PROGRAM_KEY_ORDER.filter((key) => !PER_PROGRAM_KEYS.has(key));
const LOG_KEY_ORDER: readonly (keyof TendYamlLogs)[] = [
  'out',
  'err',
  'merge',
  'timestamps',
  'format',
  'maxSize',
  'keep',
  'compress',
  'rotateDaily',
];

/** `base` holds defaults an importer knows from the source (supervisord's own environment). */
export function createConfig(
  programs: Record<string, TendYamlProgram>,
  base: TendYamlProgram = {},
): TendYamlConfig {
  const ordered = Object.fromEntries(
    Object.entries(programs).map(([name, program]) => [name, orderProgram(program)]),
  );
  const list = Object.values(ordered);
  const defaults: TendYamlProgram = { ...base };
  if (list.length >= 2) {
    for (const key of HOISTABLE_KEYS) {
      const first = list[0]?.[key];
      if (first === undefined) continue;
      const text = JSON.stringify(first);
      if (!list.every((program) => JSON.stringify(program[key]) === text)) continue;
      Object.assign(defaults, { [key]: first });
      for (const program of list) delete program[key];
    }
  }
  return Object.keys(defaults).length > 0
    ? { defaults: orderProgram(defaults), programs: ordered }
    : { programs: ordered };
}

export function orderProgram(program: TendYamlProgram): TendYamlProgram {
  const ordered: Record<string, unknown> = {};
  for (const key of PROGRAM_KEY_ORDER) {
    const value = program[key];
    if (value === undefined) continue;
    if (key === 'logs' && Object.keys(value).length === 0) continue;
    ordered[key] = key === 'logs' ? orderKeys(value as TendYamlLogs, LOG_KEY_ORDER) : value;
  }
  return ordered as TendYamlProgram;
}

function orderKeys<T extends object>(value: T, order: readonly (keyof T)[]): T {
  const ordered: Partial<T> = {};
  for (const key of order) if (value[key] !== undefined) ordered[key] = value[key];
  return ordered as T;
}
