import { resolve } from 'node:path';
import { CONSOLE_TARGET } from '../../logs/log-options.js';
import type { ConfigFile, ProgramFile } from '../file-schema.js';
import type { LoadedConfig } from '../load.js';
import { type ProgramSpec, programInputSchema } from '../program-schema.js';

// The programs of a config file as the exporters see them: one per key of `programs` (not one per
// instance), every value normalized (durations in ms, signals as SIGTERM), paths absolute, and the
// keys the file wrote, so an exporter notes only what the user asked for and it cannot give.

export interface ExportProgram {
  /** The key in `programs`. */
  name: string;
  /** Instance 0's normalized spec; `env` holds `env` only (no envFile contents, no TEND_INSTANCE). */
  spec: ProgramSpec;
  instances: number;
  /** `instances: max`: `instances` is this machine's CPU count. */
  instancesMax: boolean;
  /** Absolute paths, in the order they apply (later files win). */
  envFiles: string[];
  /** Log targets before the per-instance suffix: an absolute path, console, /dev/null or null. */
  logTargets: { out: string | null; err: string | null };
  /** The keys written for this program, in `defaults` or its own map. */
  written: ReadonlySet<string>;
}

export interface ExportConfig {
  path: string;
  dir: string;
  programs: ExportProgram[];
}

function mergeWritten(config: ConfigFile, key: string): ProgramFile {
  const program = config.programs[key] as ProgramFile;
  const merged: Record<string, unknown> = { ...config.defaults, ...program };
  merged.envFile = program.envFile ?? config.defaults?.envFile;
  merged.logs =
    config.defaults?.logs || program.logs ? { ...config.defaults?.logs, ...program.logs } : undefined;
  for (const name of Object.keys(merged)) if (merged[name] === undefined) delete merged[name];
  return merged as ProgramFile;
}

function resolveTarget(target: string | null | undefined, dir: string): string | null {
  if (target === undefined || target === null) return null;
  return target === CONSOLE_TARGET || target === '/dev/null' ? target : resolve(dir, target);
}

/** `loaded` must come from loadConfig with an env file reader that reads nothing (see export command). */
export function getExportConfig(loaded: LoadedConfig): ExportConfig {
  const programs = Object.keys(loaded.file.programs).map((name): ExportProgram => {
    const instances = loaded.programs.filter((program) => program.instanceOf === name);
    const merged = mergeWritten(loaded.file, name);
    const spec = programInputSchema.parse(instances[0]) as ProgramSpec;
    const { TEND_INSTANCE: _instance, ...env } = spec.env;
    const envFile = merged.envFile ?? [];
    // onExit: ignore never restarts the program: to the other engines that is restart: never.
    const restart = spec.onExit === 'ignore' ? 'never' : spec.restart;
    return {
      name,
      spec: { ...spec, env, restart },
      instances: instances.length,
      instancesMax: merged.instances === 'max',
      envFiles: (typeof envFile === 'string' ? [envFile] : envFile).map((file) => resolve(loaded.dir, file)),
      logTargets: {
        out: resolveTarget(merged.logs?.out, loaded.dir),
        err: resolveTarget(merged.logs?.err, loaded.dir),
      },
      written: new Set([
        ...Object.keys(merged),
        ...Object.keys(merged.logs ?? {}).map((key) => `logs.${key}`),
      ]),
    };
  });
  return { path: loaded.path, dir: loaded.dir, programs };
}

/** `logs/api.log` for instance `%i` → `logs/api-%i.log`, as tend names each instance's file. */
export function getInstancePath(path: string, instance: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const cut = dot > slash + 1 ? dot : path.length;
  return `${path.slice(0, cut)}-${instance}${path.slice(cut)}`;
}
