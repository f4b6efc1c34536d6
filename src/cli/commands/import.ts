import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { BadArgumentError, ConfigError, TendError } from '../../errors.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { print } from '../output.js';

// `tend import pm2|supervisord|procfile|systemd FILE... [-o OUT] [--force] [--stdout] [--env NAME]` writes an
// equivalent tend.yaml and lists what could not be carried over. It never needs the daemon; the
// importers (and the YAML writer) are loaded only here, as a separate chunk.

const SOURCES = ['pm2', 'supervisord', 'procfile', 'systemd'] as const;
type Source = (typeof SOURCES)[number];

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
  stdout: { type: 'boolean' },
  env: { type: 'string' },
} as const;

export class OutputExistsError extends TendError {
  constructor(path: string) {
    super('ALREADY_EXISTS', `${path} already exists; use --force to overwrite it`);
  }
}

export const importCommand: Command = async (args) => {
  const { values, positionals } = parseCommandArgs('import', args, OPTIONS);
  const [source, file, ...extra] = positionals;
  if (!isSource(source)) {
    throw new BadArgumentError(
      `import: expected pm2, supervisord, procfile or systemd${source ? `, got "${source}"` : ''}`,
    );
  }
  if (!file) throw new BadArgumentError(`import: missing the ${source} file to import`);
  // systemd units come several at a time (a service and the ones it depends on, a template's target).
  if (extra.length > 0 && source !== 'systemd')
    throw new BadArgumentError(`import: unexpected argument "${extra[0]}"`);
  if (values.env !== undefined && source !== 'pm2')
    throw new BadArgumentError('import: --env is for pm2 files only');
  const input = resolve(file);
  const target = values.stdout ? null : getOutputPath(values.output, dirname(input));
  if (target === input) throw new BadArgumentError(`import: the output would replace ${file} itself`);

  const text = readInput(file);
  const importers = await import('../../config/importers/index.js');
  const result =
    source === 'systemd'
      ? importers.importSystemd(
          [file, ...extra].map((path) => ({ path, text: path === file ? text : readInput(path) })),
        )
      : source === 'pm2'
        ? importers.importPm2(text, file, { env: values.env })
        : source === 'supervisord'
          ? importers.importSupervisord(text, file, { readInclude: importers.readIncludedFiles })
          : importers.importProcfile(text, file, {
              envFile: existsSync(join(dirname(input), '.env')) ? '.env' : undefined,
            });
  // --stdout output is usually redirected from here, so its paths are relative to the current directory.
  const outDir = target ? dirname(target) : process.cwd();
  const config = importers.rebaseConfig(result.config, dirname(input), outDir);
  const notes = [...result.notes, ...importers.getMissingAccountNotes(config)];
  const yaml = importers.renderTendYaml({ config, notes }, source, relative(outDir, input));
  if (!target) {
    print(yaml.trimEnd());
    return 0;
  }
  if (!values.force && existsSync(target)) throw new OutputExistsError(target);
  writeOutput(target, yaml, values.force === true);
  print(`wrote ${target}`);
  for (const note of notes) print(importers.formatNote(note));
  return 0;
};

function isSource(value: string | undefined): value is Source {
  return SOURCES.includes(value as Source);
}

function getOutputPath(output: string | undefined, inputDir: string): string {
  if (output === undefined) return join(inputDir, 'tend.yaml');
  const path = resolve(output);
  return existsSync(path) && statSync(path).isDirectory() ? join(path, 'tend.yaml') : path;
}

function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read it (${describeFsError(error)})`);
  }
}

function writeOutput(target: string, yaml: string, force: boolean): void {
  try {
    writeFileSync(target, yaml, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new OutputExistsError(target);
    throw new BadArgumentError(`import: cannot write ${target} (${describeFsError(error)})`);
  }
}

export function describeFsError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? message;
}
