import { ConfigError } from '../../errors.js';
import { escapeDollars } from './format.js';
import { createProgramName } from './names.js';
import { noteEscapedDollars, sortNotes } from './notes.js';
import { createConfig } from './shape.js';
import type { ImportNote, ImportResult, TendYamlProgram } from './types.js';

// `tend import procfile Procfile`: each `name: command` line becomes a program whose command runs
// through /bin/sh -c, as foreman runs it.

const LINE_PATTERN = /^([A-Za-z0-9_-]+):\s*(.*)$/;
const FOREMAN_BASE_PORT = '5000';

export interface ProcfileImportOptions {
  /** A dotenv file next to the Procfile, which foreman and `heroku local` read: `.env`. */
  envFile?: string;
}

export function importProcfile(
  text: string,
  path: string,
  options: ProcfileImportOptions = {},
): ImportResult {
  const notes: ImportNote[] = [];
  const programs: Record<string, TendYamlProgram> = {};
  const firstLines = new Map<string, number>();
  const taken = new Set<string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = LINE_PATTERN.exec(trimmed);
    if (!match) throw new ConfigError(`${path}:${line}: expected "name: command", got "${trimmed}"`);
    const [, type = '', command = ''] = match;
    if (command.trim() === '') throw new ConfigError(`${path}:${line}: "${type}" has no command`);
    const first = firstLines.get(type);
    if (first !== undefined)
      throw new ConfigError(`${path}:${line}: "${type}" is declared twice (first on line ${first})`);
    firstLines.set(type, line);

    const name = createProgramName(type, taken);
    taken.add(name);
    if (name !== type)
      notes.push({ program: name, option: 'name', reason: `"${type}" is not a valid tend name; renamed` });
    programs[name] = createProgram(type, name, escapeDollars(command.trim()), options, notes);
    noteEscapedDollars(notes, name, 'command', command);
  }
  if (Object.keys(programs).length === 0) throw new ConfigError(`${path}: no "name: command" lines`);
  return { config: createConfig(programs), notes: sortNotes(notes, Object.keys(programs)) };
}

function createProgram(
  type: string,
  name: string,
  command: string,
  options: ProcfileImportOptions,
  notes: ImportNote[],
): TendYamlProgram {
  const program: TendYamlProgram = { command };
  if (options.envFile) program.envFile = options.envFile;
  if (type === 'web') {
    program.env = { PORT: FOREMAN_BASE_PORT };
    notes.push({
      program: name,
      option: 'PORT',
      reason: `Heroku sets $PORT for web at run time; set to ${FOREMAN_BASE_PORT} as foreman does, change it to suit`,
    });
  }
  if (type === 'release') {
    program.autostart = false;
    program.restart = 'never';
    notes.push({
      program: name,
      option: 'release',
      reason:
        'Heroku runs it once per deploy, before the new processes; here it runs only with `tend start release`',
    });
  }
  return program;
}
