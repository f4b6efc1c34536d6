import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { BadArgumentError } from '../../errors.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { print } from '../output.js';
import { describeFsError, OutputExistsError } from './import.js';

// `tend export systemd|kubernetes|compose [-f FILE] [-o DIR] [--stdout] [--force] [NAMES...]` writes
// the programs of a config file for another engine and lists what does not carry over. It never
// needs the daemon; the loader and the exporters are loaded only here, as a separate chunk.

const TARGETS = ['systemd', 'kubernetes', 'compose'] as const;
type Target = (typeof TARGETS)[number];
const DEFAULT_WORKDIR = '/app';

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  stdout: { type: 'boolean' },
  force: { type: 'boolean' },
  user: { type: 'boolean' },
  image: { type: 'string', multiple: true },
  workdir: { type: 'string' },
} as const;

export const exportCommand: Command = async (args) => {
  const { values, positionals } = parseCommandArgs('export', args, OPTIONS);
  const [target, ...names] = positionals;
  if (!isTarget(target)) {
    throw new BadArgumentError(`export: expected ${TARGETS.join(', ')}${target ? `, got "${target}"` : ''}`);
  }
  if (values.user && target !== 'systemd') throw new BadArgumentError('export: --user is for systemd only');
  if ((values.image || values.workdir !== undefined) && target === 'systemd')
    throw new BadArgumentError('export: --image and --workdir are for kubernetes and compose');
  const workdir = values.workdir ?? DEFAULT_WORKDIR;
  if (!isAbsolute(workdir))
    throw new BadArgumentError(`export: --workdir must be absolute, got "${workdir}"`);

  const { loadConfig } = await import('../../config/load.js');
  const exporters = await import('../../config/exporters/index.js');
  // Export names env files (EnvironmentFile=, a Secret); it does not read them, so none need exist here.
  const loaded = await loadConfig({
    file: values.file,
    cwd: process.cwd(),
    env: process.env,
    createEnvFileReader: () => () => ({}),
  });
  const config = exporters.getExportConfig(loaded);
  const unknown = names.filter((name) => !config.programs.some((program) => program.name === name));
  if (unknown.length > 0) {
    const known = config.programs.map((program) => program.name).join(', ');
    throw new BadArgumentError(`export: no program "${unknown[0]}" in ${loaded.path} (it has ${known})`);
  }
  const outDir = values.stdout ? process.cwd() : resolve(values.output ?? target);
  const options = {
    outDir,
    source: getDisplayPath(loaded.path),
    only: names,
    user: values.user === true,
    images: parseImages(values.image ?? []),
    workdir,
  };
  const result = exporters.exportTarget(target, config, options);
  if (values.stdout) {
    const single = result.files.length === 1;
    print(
      result.files
        .map((file) => (single ? file.text : `# ==> ${file.name} <==\n${file.text}`))
        .join('\n')
        .trimEnd(),
    );
    return 0;
  }
  const dir = outDir;
  const paths = result.files.map((file) => join(dir, file.name));
  const existing = values.force ? undefined : paths.find((path) => existsSync(path));
  if (existing) throw new OutputExistsError(existing);
  for (const [index, file] of result.files.entries()) {
    const path = paths[index] as string;
    try {
      if (index === 0) mkdirSync(dir, { recursive: true });
      writeFileSync(path, file.text);
    } catch (error) {
      throw new BadArgumentError(`export: cannot write ${path} (${describeFsError(error)})`);
    }
  }
  for (const path of paths) print(`wrote ${path}`);
  for (const note of result.notes) print(exporters.formatNote(note));
  return 0;
};

/** The config's path relative to the current directory when it is below it, else absolute. */
function getDisplayPath(path: string): string {
  const shorter = relative(process.cwd(), path);
  return shorter !== '' && !shorter.startsWith('..') && !isAbsolute(shorter) ? shorter : path;
}

function isTarget(value: string | undefined): value is Target {
  return TARGETS.includes(value as Target);
}

/** `--image IMG` for every program, `--image NAME=IMG` for one (the key is null for every program). */
function parseImages(values: string[]): Map<string | null, string> {
  const images = new Map<string | null, string>();
  for (const value of values) {
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)$/.exec(value);
    if (match) images.set(match[1] as string, match[2] as string);
    else if (value !== '') images.set(null, value);
    else throw new BadArgumentError('export: --image needs an image name');
  }
  return images;
}
