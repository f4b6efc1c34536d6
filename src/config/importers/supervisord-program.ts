import { formatMs, getGiveUpWindow } from './format.js';
import { noteEscapedDollars } from './notes.js';
import { splitShellWords, UnclosedQuoteError } from './shell-words.js';
import { readLogs } from './supervisord-logs.js';
import type { InheritedSettings, SectionReader, SupervisordSource } from './supervisord-reader.js';
import {
  parseBoolean,
  parseEnvironment,
  parseExitCodes,
  parseInteger,
  parseSignal,
  parseUmask,
} from './supervisord-values.js';
import type { ImportNote, TendYamlProgram } from './types.js';

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

  const cwd = reader.get('directory') ?? inherited.directory;
  if (cwd) program.cwd = cwd;
  const env = reader.parse('environment', parseEnvironment);
  if (env && Object.keys(env).length > 0) program.env = env;
  noteEscapedDollars(notes, name, 'command', source.section.entries.get('command')?.value ?? '');
  noteEscapedDollars(notes, name, 'environment', source.section.entries.get('environment')?.value ?? '');
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
  if (user) program.user = user;
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
