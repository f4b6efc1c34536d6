import { ConfigError } from '../../errors.js';
import { formatBytes, formatMs, getGiveUpWindow } from './format.js';
import type { IniSection } from './ini.js';
import { noteInterpolation } from './notes.js';
import { formatPython, UnknownFormatNameError } from './python-format.js';
import { splitShellWords, UnclosedQuoteError } from './shell-words.js';
import {
  type Parsed,
  parseBoolean,
  parseByteSize,
  parseEnvironment,
  parseExitCodes,
  parseInteger,
  parseSignal,
  parseUmask,
} from './supervisord-values.js';
import type { ImportNote, TendYamlLogs, TendYamlProgram } from './types.js';

// One supervisord [program:x] (for one process number) as a tend program.

const DEFAULT_START_SECS = 1;
const DEFAULT_START_RETRIES = 3;
const MS_PER_SECOND = 1000;

const MAPPED_KEYS = new Set([
  'command',
  'process_name',
  'numprocs',
  'numprocs_start',
  'priority',
  'autostart',
  'autorestart',
  'exitcodes',
  'startsecs',
  'startretries',
  'stopsignal',
  'stopwaitsecs',
  'stopasgroup',
  'killasgroup',
  'user',
  'directory',
  'umask',
  'environment',
  'redirect_stderr',
  'stdout_logfile',
  'stderr_logfile',
  'stdout_logfile_maxbytes',
  'stderr_logfile_maxbytes',
  'stdout_logfile_backups',
  'stderr_logfile_backups',
]);

const UNSUPPORTED_KEYS: Record<string, string> = {
  serverurl: 'tend does not pass a control-server URL to programs (SUPERVISOR_SERVER_URL)',
  stdout_capture_maxbytes: 'process communication events are a supervisord feature',
  stderr_capture_maxbytes: 'process communication events are a supervisord feature',
  stdout_events_enabled: 'tend has no event listeners',
  stderr_events_enabled: 'tend has no event listeners',
  stdout_syslog: 'tend does not write to syslog (logs.out: console sends lines to the daemon’s output)',
  stderr_syslog: 'tend does not write to syslog (logs.out: console sends lines to the daemon’s output)',
};

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

/** Settings of [supervisord] that its children inherit. */
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
  const lookup = (key: string): string | number | undefined => {
    if (key.startsWith('ENV_')) return `\${${key.slice('ENV_'.length)}}`;
    const known: Record<string, string | number> = {
      program_name: values.programName,
      group_name: values.groupName,
      host_node_name: values.hostname,
      here: source.here,
      numprocs: values.numprocs,
      process_num: values.processNum,
    };
    return known[key];
  };
  const get = (key: string): string | undefined => {
    const entry = section.entries.get(key);
    if (!entry) return undefined;
    try {
      return formatPython(entry.value, lookup);
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

export interface ConvertedProgram {
  program: TendYamlProgram;
  /** Neither stopasgroup nor killasgroup was set: supervisord signalled the main process only. */
  signalsMainOnly: boolean;
}

export function convertProgram(
  source: SupervisordSource,
  reader: SectionReader,
  name: string,
  inherited: InheritedSettings,
  notes: ImportNote[],
): ConvertedProgram {
  const note = (option: string, reason: string) => notes.push({ program: name, option, reason });
  const program: TendYamlProgram = { command: readCommand(reader) };
  noteInterpolation(notes, name, 'command', source.section.entries.get('command')?.value ?? '');

  const cwd = reader.get('directory') ?? inherited.directory;
  if (cwd) program.cwd = cwd;
  const env = { ...inherited.env, ...reader.parse('environment', parseEnvironment) };
  if (Object.keys(env).length > 0) program.env = env;
  noteInterpolation(notes, name, 'environment', source.section.entries.get('environment')?.value ?? '');
  if (reader.parse('autostart', parseBoolean) === false) program.autostart = false;

  program.restart = readRestartPolicy(reader);
  const exitCodes = reader.parse('exitcodes', parseExitCodes);
  if (exitCodes) program.successExitCodes = exitCodes;
  const startSecs = reader.parse('startsecs', parseInteger);
  if (startSecs !== undefined) program.startSecs = formatMs(startSecs * MS_PER_SECOND);
  if (program.restart !== 'never') {
    // supervisord counts only exits before `startsecs` as failed starts, and gives up after startretries.
    const quickExitMs = (startSecs ?? DEFAULT_START_SECS) * MS_PER_SECOND;
    const failures = (reader.parse('startretries', parseInteger) ?? DEFAULT_START_RETRIES) + 1;
    program.backoff = { resetAfter: formatMs(quickExitMs) };
    program.giveUp = { failures, within: getGiveUpWindow(failures, quickExitMs) };
  }

  const stopSignal = reader.parse('stopsignal', parseSignal);
  if (stopSignal) program.stopSignal = stopSignal;
  const stopWaitSecs = reader.parse('stopwaitsecs', parseInteger);
  if (stopWaitSecs !== undefined) program.stopTimeout = formatMs(stopWaitSecs * MS_PER_SECOND);
  const stopAsGroup = reader.parse('stopasgroup', parseBoolean);
  const killAsGroup = reader.parse('killasgroup', parseBoolean);
  for (const [key, value] of [
    ['stopasgroup', stopAsGroup],
    ['killasgroup', killAsGroup],
  ] as const) {
    if (value === false) note(key, 'tend always signals the whole process group, not only the main process');
  }

  const user = reader.get('user') ?? inherited.user;
  if (user) {
    program.user = user;
    note('user', 'tend also sets HOME, USER and LOGNAME to the user’s; supervisord kept its own');
  }
  const umask = reader.parse('umask', parseUmask) ?? inherited.umask;
  if (umask) program.umask = umask;
  const logs = readLogs(reader, note);
  if (Object.keys(logs).length > 0) program.logs = logs;

  for (const [key, entry] of source.section.entries) {
    if (MAPPED_KEYS.has(key)) continue;
    const reason = UNSUPPORTED_KEYS[key];
    if (reason === undefined) note(key, 'not a supervisord program option; ignored');
    else if (!/^(false|no|off|0|)$/i.test(entry.value)) note(key, reason);
  }
  return { program, signalsMainOnly: stopAsGroup === undefined && killAsGroup === undefined };
}

function readCommand(reader: SectionReader): string[] {
  const text = reader.get('command');
  if (text === undefined || text.trim() === '')
    return reader.fail('command', 'missing; every program needs one');
  try {
    return splitShellWords(text);
  } catch (error) {
    if (error instanceof UnclosedQuoteError) return reader.fail('command', error.message);
    throw error;
  }
}

function readRestartPolicy(reader: SectionReader): TendYamlProgram['restart'] {
  const text = reader.get('autorestart') ?? 'unexpected';
  if (text.toLowerCase() === 'unexpected') return 'on-failure';
  const parsed = parseBoolean(text);
  if (!parsed.ok) return reader.fail('autorestart', `expected true, false or unexpected, got "${text}"`);
  return parsed.value ? 'always' : 'never';
}

function readLogs(reader: SectionReader, note: (option: string, reason: string) => void): TendYamlLogs {
  const logs: TendYamlLogs = {};
  const merge = reader.parse('redirect_stderr', parseBoolean) === true;
  const out = readLogTarget(reader, 'stdout_logfile', note);
  if (out) logs.out = out;
  if (merge) {
    logs.merge = true;
    if (reader.get('stderr_logfile') !== undefined) {
      note('stderr_logfile', 'ignored because redirect_stderr sends stderr to the stdout log');
    }
  } else {
    const err = readLogTarget(reader, 'stderr_logfile', note);
    if (err) logs.err = err;
  }
  // tend rotates both streams alike: stdout's settings win when the two differ.
  const pick = (suffix: string, parser: (text: string) => Parsed<number>) => {
    const outValue = reader.parse(`stdout_logfile_${suffix}`, parser);
    const errValue = merge ? undefined : reader.parse(`stderr_logfile_${suffix}`, parser);
    if (outValue !== undefined && errValue !== undefined && outValue !== errValue) {
      note(`stderr_logfile_${suffix}`, `tend uses one setting for both logs; kept stdout_logfile_${suffix}`);
    }
    return outValue ?? errValue;
  };
  const maxBytes = pick('maxbytes', parseByteSize);
  if (maxBytes !== undefined) logs.maxSize = formatBytes(maxBytes);
  const backups = pick('backups', parseInteger);
  if (backups !== undefined) logs.keep = backups;
  return logs;
}

function readLogTarget(
  reader: SectionReader,
  key: string,
  note: (option: string, reason: string) => void,
): string | undefined {
  const value = reader.get(key);
  if (value === undefined || value.toUpperCase() === 'AUTO') return undefined;
  if (value.toUpperCase() === 'NONE') return '/dev/null';
  if (value.toLowerCase() === 'syslog') {
    note(key, 'tend does not write to syslog; the log goes to the default file in TEND_HOME/logs');
    return undefined;
  }
  return value;
}
