import { hostname as getHostname } from 'node:os';
import { createProgramName } from './names.js';
import { sortNotes } from './notes.js';
import { usesFormatName } from './python-format.js';
import { createConfig } from './shape.js';
import {
  noteExpansions,
  noteGroups,
  noteProgramDefaults,
  noteSections,
  type ProgramFacts,
} from './supervisord-notes.js';
import { orderByPriority, type PrioritizedProgram } from './supervisord-priority.js';
import { convertProgram } from './supervisord-program.js';
import { createSectionReader, type InheritedSettings, type SupervisordSource } from './supervisord-reader.js';
import {
  type IncludeReader,
  readDaemonSettings,
  readGroups,
  readIncludedSources,
  readSources,
  splitSectionName,
} from './supervisord-sources.js';
import { parseInteger } from './supervisord-values.js';
import type { ImportNote, ImportResult, TendYamlProgram } from './types.js';

// `tend import supervisord supervisord.conf`: every [program:x] becomes a tend program (one per
// process when numprocs > 1 and the processes differ), ordered by priority through dependsOn.

const DEFAULT_PRIORITY = 999;

export type { IncludedFile } from './supervisord-sources.js';

export interface SupervisordImportOptions {
  /** Reads the files an [include] names (globs relative to `baseDir`); without it [include] is a note. */
  readInclude?: IncludeReader;
  /** For %(host_node_name)s; the machine's name by default. */
  hostname?: string;
}

type Converted = PrioritizedProgram & ProgramFacts;

export function importSupervisord(
  text: string,
  path: string,
  options: SupervisordImportOptions = {},
): ImportResult {
  const notes: ImportNote[] = [];
  const hostname = options.hostname ?? getHostname();
  const sources = readSources(text, path);
  const include = sources.find((source) => source.section.name === 'include');
  if (include) sources.push(...readIncludedSources(include, options.readInclude, hostname, notes));
  const inherited = readDaemonSettings(sources, notes);
  const groups = readGroups(sources);
  const groupOf = new Map(
    [...groups].flatMap(([group, members]) => members.map((member) => [member, group])),
  );

  const taken = new Set<string>();
  const converted: Converted[] = [];
  const names = new Map<string, string[]>();
  for (const source of sources) {
    const [kind, name = ''] = splitSectionName(source.section.name);
    if (kind !== 'program') continue;
    const made = convertSection(source, name, groupOf.get(name) ?? name, hostname, inherited, taken, notes);
    converted.push(...made);
    names.set(
      name,
      made.map((entry) => entry.name),
    );
  }
  noteSections(sources, notes);
  noteGroups(groups, names, notes);
  noteExpansions(sources, hostname, notes);
  noteProgramDefaults(converted, notes);
  orderByPriority(converted, notes);

  const programs: Record<string, TendYamlProgram> = {};
  for (const entry of converted) programs[entry.name] = entry.program;
  const defaults = Object.keys(inherited.env).length > 0 ? { env: inherited.env } : {};
  return { config: createConfig(programs, defaults), notes: sortNotes(notes, Object.keys(programs)) };
}

function convertSection(
  source: SupervisordSource,
  programName: string,
  groupName: string,
  hostname: string,
  inherited: InheritedSettings,
  taken: Set<string>,
  notes: ImportNote[],
): Converted[] {
  const base = { programName, groupName, hostname, numprocs: 1, processNum: 0 };
  const structure = createSectionReader(source, base);
  const numprocs = structure.parse('numprocs', parseInteger) ?? 1;
  if (numprocs < 1) structure.fail('numprocs', 'expected at least 1');
  const start = structure.parse('numprocs_start', parseInteger) ?? 0;
  const priority = structure.parse('priority', parseInteger) ?? DEFAULT_PRIORITY;
  const processNums = Array.from({ length: numprocs }, (_, index) => start + index);
  const readerFor = (processNum: number) => createSectionReader(source, { ...base, numprocs, processNum });
  const processName = (processNum: number) => readerFor(processNum).get('process_name') ?? programName;
  // A value that differs per process cannot be shared by tend instances: one program per process then.
  const perProcess =
    numprocs > 1 &&
    [...source.section.entries].some(
      ([key, entry]) => key !== 'process_name' && usesFormatName(entry.value, 'process_num'),
    );
  const made = (perProcess ? processNums : [start]).map((processNum): Converted => {
    const raw = perProcess ? processName(processNum) : programName;
    const name = createProgramName(raw, taken);
    taken.add(name);
    if (name !== raw) {
      notes.push({ program: name, option: 'name', reason: `"${raw}" is not a valid tend name; renamed` });
    }
    const { program, signalsMainOnly } = convertProgram(
      source,
      readerFor(processNum),
      name,
      inherited,
      notes,
    );
    return { name, program, priority, signalsMainOnly };
  });
  const [first] = made;
  if (first && perProcess) {
    const list = made.map((entry) => entry.name).join(', ');
    notes.push({
      program: first.name,
      option: 'numprocs',
      reason: `%(process_num) differs per process, so the ${numprocs} processes are separate programs: ${list}`,
    });
  } else if (first && numprocs > 1) {
    first.program.instances = numprocs;
    const last = processName(start + numprocs - 1);
    notes.push({
      program: first.name,
      option: 'numprocs',
      reason: `${numprocs} instances named ${first.name}-0…${first.name}-${numprocs - 1} (supervisord: ${processName(start)}…${last}); each gets TEND_INSTANCE`,
    });
  }
  return made;
}
