import { formatBytes } from './format.js';
import type { SectionReader } from './supervisord-reader.js';
import { type Parsed, parseBoolean, parseByteSize, parseInteger } from './supervisord-values.js';
import type { TendYamlLogs } from './types.js';

// supervisord's stdout_*/stderr_* log options as tend's `logs`.

export function readLogs(
  reader: SectionReader,
  note: (option: string, reason: string) => void,
): TendYamlLogs {
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
