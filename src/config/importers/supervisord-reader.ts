import { ConfigError } from '../../errors.js';
import { escapeDollars } from './format.js';
import type { IniSection } from './ini.js';
import { formatPython, UnknownFormatNameError } from './python-format.js';
import type { Parsed } from './supervisord-values.js';

// Reads a supervisord section's values with their %(…)s expansions, and fails naming the file,
// line, section and key.

export interface SupervisordSource {
  section: IniSection;
  file: string;
  /** The directory of the file the section came from, for %(here)s. */
  here: string;
}

export interface ExpansionValues {
  programName: string;
  groupName: string;
  hostname: string;
  numprocs: number;
  processNum: number;
}

/** Settings of [supervisord] that its children inherit (its environment goes to tend's defaults). */
export interface InheritedSettings {
  env: Record<string, string>;
  user?: string;
  umask?: string;
  directory?: string;
}

export interface SectionReader {
  get(key: string): string | undefined;
  parse<T>(key: string, parser: (text: string) => Parsed<T>): T | undefined;
  fail(key: string, problem: string): never;
}

export function createSectionReader(source: SupervisordSource, values: ExpansionValues): SectionReader {
  const { section, file } = source;
  const fail = (key: string, problem: string): never => {
    const line = section.entries.get(key)?.line ?? section.line;
    throw new ConfigError(`${file}:${line}: [${section.name}] ${key}: ${problem}`);
  };
  // Values come out ready for tend.yaml: dollars escaped, %(ENV_X)s as ${X} for tend to expand.
  const lookup = (key: string): string | number | undefined => {
    if (key.startsWith('ENV_')) return `\${${key.slice('ENV_'.length)}}`;
    const known: Record<string, string | number> = {
      program_name: escapeDollars(values.programName),
      group_name: escapeDollars(values.groupName),
      host_node_name: escapeDollars(values.hostname),
      here: escapeDollars(source.here),
      numprocs: values.numprocs,
      process_num: values.processNum,
    };
    return known[key];
  };
  const get = (key: string): string | undefined => {
    const entry = section.entries.get(key);
    if (!entry) return undefined;
    try {
      return formatPython(escapeDollars(entry.value), lookup);
    } catch (error) {
      if (error instanceof UnknownFormatNameError) return fail(key, error.message);
      throw error;
    }
  };
  const parse = <T>(key: string, parser: (text: string) => Parsed<T>): T | undefined => {
    const text = get(key);
    if (text === undefined) return undefined;
    const parsed = parser(text);
    return parsed.ok ? parsed.value : fail(key, `expected ${parsed.expected}, got "${text}"`);
  };
  return { get, parse, fail };
}
