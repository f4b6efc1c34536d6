import { dirname, resolve } from 'node:path';
import { parseIni } from './ini.js';
import {
  createSectionReader,
  type ExpansionValues,
  type InheritedSettings,
  type SupervisordSource,
} from './supervisord-reader.js';
import { parseEnvironment, parseUmask } from './supervisord-values.js';
import type { ImportNote } from './types.js';

// The sections of a supervisord.conf and the files its [include] names, and the settings that are
// not programs: [supervisord] (inherited by every program) and [group:x].

const INHERITED_DAEMON_KEYS = new Set(['environment', 'user', 'umask', 'directory']);

export interface IncludedFile {
  path: string;
  text: string;
}

export type IncludeReader = (pattern: string, baseDir: string) => IncludedFile[];

export function readSources(text: string, path: string): SupervisordSource[] {
  const here = dirname(resolve(path));
  return parseIni(text, path).map((section) => ({ section, file: path, here }));
}

/** `program:web` → ['program', 'web']. */
export function splitSectionName(name: string): [string, string?] {
  const colon = name.indexOf(':');
  return colon === -1 ? [name] : [name.slice(0, colon), name.slice(colon + 1)];
}

export function getExpansionValues(hostname: string): ExpansionValues {
  return { programName: '', groupName: '', hostname, numprocs: 1, processNum: 0 };
}

/** supervisord reads [include] in the main file only, and ignores [supervisord] in included ones. */
export function readIncludedSources(
  include: SupervisordSource,
  readInclude: IncludeReader | undefined,
  hostname: string,
  notes: ImportNote[],
): SupervisordSource[] {
  const note = (option: string, reason: string) => notes.push({ program: null, option, reason });
  const patterns = (createSectionReader(include, getExpansionValues(hostname)).get('files') ?? '')
    .split(/\s+/)
    .filter(Boolean);
  if (!readInclude) {
    note('[include]', `${patterns.join(' ')} not read; import those files too`);
    return [];
  }
  const sources: SupervisordSource[] = [];
  for (const pattern of patterns) {
    const files = readInclude(pattern, include.here);
    if (files.length === 0) note('[include]', `no file matches ${pattern}`);
    for (const file of files) {
      for (const source of readSources(file.text, file.path)) {
        const name = source.section.name;
        if (name === 'include' || name === 'supervisord') {
          note(`[${name}]`, `ignored in included file ${file.path}, as supervisord does`);
        } else {
          sources.push(source);
        }
      }
    }
  }
  return sources;
}

export function readDaemonSettings(sources: SupervisordSource[], notes: ImportNote[]): InheritedSettings {
  const daemon = sources.find((source) => source.section.name === 'supervisord');
  if (!daemon) return { env: {} };
  const reader = createSectionReader(daemon, getExpansionValues(''));
  const ignored = [...daemon.section.entries.keys()].filter((key) => !INHERITED_DAEMON_KEYS.has(key));
  if (ignored.length > 0) {
    notes.push({
      program: null,
      option: '[supervisord]',
      reason: `${ignored.join(', ')}: settings of supervisord itself; tend's daemon keeps its state and logs in TEND_HOME`,
    });
  }
  return {
    env: reader.parse('environment', parseEnvironment) ?? {},
    user: reader.get('user'),
    umask: reader.parse('umask', parseUmask),
    directory: reader.get('directory'),
  };
}

/** Group name → its programs, from [group:x] programs=a,b. */
export function readGroups(sources: SupervisordSource[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const source of sources) {
    const [kind, group = ''] = splitSectionName(source.section.name);
    if (kind !== 'group') continue;
    const members = (source.section.entries.get('programs')?.value ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    groups.set(group, members);
  }
  return groups;
}
