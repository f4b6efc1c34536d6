import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, extname, isAbsolute, relative } from 'node:path';
import type * as z from 'zod';
import type { ConfigError } from '../errors.js';
import { type DependencyNode, orderByDependencies } from './dependency-order.js';
import { createEnvFileReader, type EnvFileReader } from './env-file.js';
import { type ExpandedProgram, expandPrograms } from './expand.js';
import { type ConfigFile, configFileSchema } from './file-schema.js';
import { resolveConfigFile, searchConfigFile } from './find-file.js';
import { interpolateValues } from './interpolate.js';
import { loadModuleConfig } from './load-module.js';
import { parseYamlWithPositions } from './positions.js';
import { createConfigError, getValueAt, type Locate, type Path, type Problem } from './problems.js';
import { programInputSchema } from './program-schema.js';
import { getZodProblems } from './zod-problems.js';

// Reads a config file into the programs `tend up` sends to the daemon. Every problem is collected
// and thrown as one ConfigError, so a config with any error changes nothing.

export type { ExpandedProgram } from './expand.js';

export interface LoadConfigOptions {
  /** `-f FILE`, relative to cwd; without it the file is searched for from cwd upward. */
  file?: string;
  cwd: string;
  /** For `${VAR}` interpolation. */
  env: Record<string, string | undefined>;
  /** How `envFile:` files are read, given the config's directory (`tend export` only names them). */
  createEnvFileReader?: (dir: string) => EnvFileReader;
}

export interface LoadedConfig {
  /** The absolute path of the config file, and its directory. */
  path: string;
  dir: string;
  /** One per instance, each a valid POST /v1/programs body. */
  programs: ExpandedProgram[];
  /** Program keys in dependency order (file order among independent ones). */
  order: string[];
  /** The file as written (interpolated and validated), before defaults and instances are applied. */
  file: ConfigFile;
  /**
   * Problems the daemon found when it checked the programs (a missing command, cwd or user), as
   * one error whose lines name the file position of each key, like the file's own problems.
   */
  describeRunProblems(problems: readonly RunProblem[]): ConfigError;
}

/** A program that could not start as declared: which program, which key, what was wrong. */
export interface RunProblem {
  readonly program: string;
  readonly key: string;
  readonly message: string;
}

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const NAME_RULE =
  'a program name of letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters, not "all"';

async function readSource(path: string): Promise<{ data: unknown; locate?: Locate; problems: Problem[] }> {
  if (!MODULE_EXTENSIONS.has(extname(path))) return parseYamlWithPositions(await readFile(path, 'utf8'));
  const loaded = await loadModuleConfig(path);
  return 'data' in loaded
    ? { data: loaded.data, problems: [] }
    : { data: undefined, problems: loaded.problems };
}

// Checked even when the rest of the file is not valid, so one run reports every problem.
function getDependencyNodes(data: unknown): DependencyNode[] {
  const programs = getValueAt(data, ['programs']);
  if (programs === null || typeof programs !== 'object' || Array.isArray(programs)) return [];
  return Object.entries(programs).map(([name, program]) => {
    const dependsOn = getValueAt(program, ['dependsOn']);
    const valid = Array.isArray(dependsOn) && dependsOn.every((item) => typeof item === 'string');
    return { name, dependsOn: valid ? dependsOn : [] };
  });
}

function getProgramProblems(error: z.ZodError, program: ExpandedProgram): Problem[] {
  const prefix = ['programs', program.instanceOf];
  return error.issues[0]?.path[0] === 'name'
    ? [{ path: prefix, at: 'key', message: `expected ${NAME_RULE}, found "${program.name}"` }]
    : getZodProblems(error, program, prefix);
}

function getDisplayPath(path: string, cwd: string): string {
  const shorter = relative(cwd, path);
  return shorter !== '' && !shorter.startsWith('..') && !isAbsolute(shorter) ? shorter : path;
}

/** The absolute path of the config file: `file` (relative to cwd) or the first found from cwd upward. */
export async function findConfigFile(options: { file?: string; cwd: string }): Promise<string> {
  return options.file ? resolveConfigFile(options.file, options.cwd) : searchConfigFile(options.cwd);
}

export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const path = await findConfigFile(options);
  const dir = dirname(path);
  const source = await readSource(path);
  const fail = (problems: Problem[]) =>
    createConfigError(problems, getDisplayPath(path, options.cwd), source.locate);
  if (source.problems.length > 0) throw fail(source.problems);

  const problems: Problem[] = [];
  const data = interpolateValues(source.data, options.env, problems);
  const parsed = configFileSchema.safeParse(data);
  if (!parsed.success) {
    const interpolated = new Set(problems.map((problem) => JSON.stringify(problem.path)));
    const structural = getZodProblems(parsed.error, data);
    problems.push(...structural.filter((problem) => !interpolated.has(JSON.stringify(problem.path))));
  }
  const order = orderByDependencies(getDependencyNodes(data), problems);
  // Expanding a file with an uninterpolated string would only report the same problem again.
  if (!parsed.success || problems.length > 0) throw fail(problems);

  const readEnvFile = (options.createEnvFileReader ?? createEnvFileReader)(dir);
  const context = { file: path, dir, cpus: availableParallelism(), readEnvFile };
  const programs = expandPrograms(parsed.data, context, problems);
  for (const program of programs) {
    const result = programInputSchema.safeParse(program);
    if (!result.success) problems.push(...getProgramProblems(result.error, program));
  }
  if (problems.length > 0) throw fail(problems);
  const byName = new Map(programs.map((program) => [program.name, program.instanceOf]));
  const describeRunProblems = (runProblems: readonly RunProblem[]) =>
    fail(
      runProblems.map((problem) => {
        const path = getKeyPath(data, byName.get(problem.program) ?? problem.program, problem.key);
        const message =
          path[0] === 'defaults' ? `for ${problem.program}: ${problem.message}` : problem.message;
        return { path, message };
      }),
    );
  return { path, dir, programs, order, file: parsed.data, describeRunProblems };
}

/** Where a program's setting was written: on the program, else in defaults, else the program itself. */
function getKeyPath(data: unknown, program: string, key: string): Path {
  if (getValueAt(data, ['programs', program, key]) !== undefined) return ['programs', program, key];
  if (getValueAt(data, ['defaults', key]) !== undefined) return ['defaults', key];
  return ['programs', program];
}
