import { isAbsolute, join } from 'node:path';
import { type Note, type Take, toPath } from './pm2-values.js';
import type { TendYamlLogs, TendYamlProgram } from './types.js';

// pm2's log options as tend's `logs`.

export function readLogs(program: TendYamlProgram, take: Take, note: Note): TendYamlLogs {
  const logs: TendYamlLogs = {};
  const path = (value: unknown, option: string) => toLogPath(value, option, program.cwd);
  const out = path(take('out_file', 'out', 'output', 'out_log'), 'out_file');
  const err = path(take('error_file', 'error', 'err', 'err_file', 'err_log'), 'error_file');
  const combined = take('log_file', 'log');
  if (take('disable_logs') === true) {
    logs.out = '/dev/null';
    logs.err = '/dev/null';
  } else if (out !== undefined && out === err) {
    logs.out = out;
    logs.merge = true;
  } else {
    if (out !== undefined) logs.out = out;
    if (err !== undefined) logs.err = err;
  }
  if (combined === true) {
    note(
      'log_file',
      'pm2 also wrote a combined log; tend keeps out and err apart (logs.merge puts both in the out log)',
    );
  } else if (
    typeof combined === 'string' &&
    !/^(NULL|\/dev\/null)$/.test(combined) &&
    logs.out !== '/dev/null'
  ) {
    if (out === undefined && err === undefined) {
      logs.out = path(combined, 'log_file');
      logs.merge = true;
      note('log_file', 'became logs.out with merge: true; pm2 also wrote separate out and error files');
    } else {
      note('log_file', 'the combined copy is not kept; tend writes the out and err logs only');
    }
  }
  if (take('merge_logs', 'combine_logs') === true && program.instances !== undefined) {
    note(
      'merge_logs',
      'tend writes one log file per instance (out-0.log, out-1.log, …), as pm2 does without merge_logs',
    );
  }
  if (take('time') === true) logs.timestamps = true;
  const dateFormat = take('log_date_format');
  if (typeof dateFormat === 'string' && dateFormat !== '') {
    logs.timestamps = true;
    note('log_date_format', `tend writes ISO 8601 times (2026-01-31T12:00:00.000Z), not "${dateFormat}"`);
  }
  if (take('log_type') === 'json') {
    logs.format = 'json';
    note(
      'log_type',
      'tend’s JSON lines are {"time","stream","line"}, not pm2’s {"message","timestamp","type",…}',
    );
  }
  return logs;
}

function toLogPath(value: unknown, option: string, cwd: string | undefined): string | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === 'NULL' || value === '/dev/null') return '/dev/null';
  const path = toPath(value, option);
  // pm2 resolves a relative log path against the app's cwd; tend against the tend.yaml's directory.
  return cwd !== undefined && !isAbsolute(path) && !path.startsWith('${') ? join(cwd, path) : path;
}
