import { extname, resolve } from 'node:path';
import { CONSOLE_TARGET } from '../logs/log-options.js';
import { type EnvFileReader, readEnvFiles } from './env-file.js';
import type { ConfigFile, DefaultsFile, ProgramFile } from './file-schema.js';
import type { Path, Problem } from './problems.js';
import type { ProgramInput } from './program-schema.js';

// From a validated file to the programs the daemon is asked to run: defaults merged in, one program
// per instance, paths made absolute, envFile read. Offsets (offsetEnv) are left to the daemon.

export type ExpandedProgram = ProgramInput & {
  name: string;
  cwd: string;
  env: Record<string, string>;
  source: string;
  instanceOf: string;
  instance: number;
  offsetEnv: string[];
  dependsOn: string[];
  autostart: boolean;
  user: string | null;
  group: string | null;
  umask: string | null;
};

export interface ExpandContext {
  /** The absolute path of the config file, and its directory. */
  file: string;
  dir: string;
  /** What `instances: max` means. */
  cpus: number;
  readEnvFile: EnvFileReader;
}

const POLICY_KEYS = [
  'restart',
  'onExit',
  'successExitCodes',
  'restartDelay',
  'backoff',
  'giveUp',
  'startSecs',
  'ready',
  'readyFd',
  'startTimeout',
  'watchdog',
  'stopSignal',
  'stopTimeout',
  'checks',
  'sockets',
  'reloadSignal',
  'pidFile',
  'limits',
  'activation',
  'idleStop',
] as const;
const INTEGER = /^-?\d+$/;

function mergeDefaults(defaults: DefaultsFile, program: ProgramFile): ProgramFile {
  const logs = defaults.logs || program.logs ? { ...defaults.logs, ...program.logs } : undefined;
  return { ...defaults, ...program, env: { ...defaults.env, ...program.env }, logs };
}

// Layers, later winning: the defaults' envFile (unless the program has its own), defaults.env, the
// program's envFile, the program's env.
function buildEnv(
  defaults: DefaultsFile,
  program: ProgramFile,
  key: string,
  context: ExpandContext,
  problems: Problem[],
) {
  const read = (envFile: string | string[] | undefined, path: Path) =>
    envFile === undefined ? {} : readEnvFiles(envFile, path, context.readEnvFile, problems);
  return {
    ...(program.envFile === undefined ? read(defaults.envFile, ['defaults', 'envFile']) : {}),
    ...defaults.env,
    ...read(program.envFile, ['programs', key, 'envFile']),
    ...program.env,
  };
}

function resolveLogTarget(target: string | null | undefined, dir: string, instance: number | null) {
  if (target === undefined || target === null || target === CONSOLE_TARGET || target === '/dev/null')
    return target;
  const path = resolve(dir, target);
  if (instance === null) return path;
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}-${instance}${extension}`;
}

function checkOffsetEnv(key: string, merged: ProgramFile, env: Record<string, string>, problems: Problem[]) {
  (merged.offsetEnv ?? []).forEach((name, index) => {
    const value = env[name];
    if (value === undefined || INTEGER.test(value)) return;
    const path = ['programs', key, 'offsetEnv', index];
    problems.push({ path, message: `expected ${name} to hold an integer, found "${value}"` });
  });
}

function createInstance(
  key: string,
  merged: ProgramFile,
  env: Record<string, string>,
  instance: number,
  count: number,
  context: ExpandContext,
): ExpandedProgram {
  const suffix = count === 1 ? null : instance;
  const logs = merged.logs && {
    ...merged.logs,
    out: resolveLogTarget(merged.logs.out, context.dir, suffix),
    err: resolveLogTarget(merged.logs.err, context.dir, suffix),
  };
  const policies = POLICY_KEYS.filter((k) => merged[k] !== undefined).map((k) => [k, merged[k]]);
  return {
    name: count === 1 ? key : `${key}-${instance}`,
    command: merged.command,
    cwd: resolve(context.dir, merged.cwd ?? '.'),
    env: { ...env, TEND_INSTANCE: String(instance) },
    ...Object.fromEntries(policies),
    ...(logs && { logs: Object.fromEntries(Object.entries(logs).filter(([, v]) => v !== undefined)) }),
    source: context.file,
    instanceOf: key,
    instance,
    offsetEnv: merged.offsetEnv ?? [],
    dependsOn: merged.dependsOn ?? [],
    autostart: merged.autostart ?? true,
    user: merged.user ?? null,
    group: merged.group ?? null,
    umask: merged.umask ?? null,
  };
}

export function expandPrograms(
  config: ConfigFile,
  context: ExpandContext,
  problems: Problem[],
): ExpandedProgram[] {
  const defaults = config.defaults ?? {};
  const expanded: ExpandedProgram[] = [];
  const owners = new Map<string, string>();
  for (const [key, program] of Object.entries(config.programs)) {
    const merged = mergeDefaults(defaults, program);
    const env = buildEnv(defaults, program, key, context, problems);
    checkOffsetEnv(key, merged, env, problems);
    const count = merged.instances === 'max' ? context.cpus : (merged.instances ?? 1);
    for (let instance = 0; instance < count; instance++) {
      const created = createInstance(key, merged, env, instance, count, context);
      const owner = owners.get(created.name);
      if (owner !== undefined) {
        const message = `expected a unique program name, found "${created.name}" twice (${owner} and ${key})`;
        problems.push({ path: ['programs', key], at: 'key', message });
      }
      owners.set(created.name, key);
      expanded.push(created);
    }
  }
  return expanded;
}
