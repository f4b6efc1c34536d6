import { basename, extname, resolve } from 'node:path';
import { BadArgumentError } from '../../errors.js';
import { normalizeSignal } from '../../signals.js';
import { parseDuration, parseSize } from '../../units.js';
import { parseCommandArgs, requireOne } from '../args.js';
import type { Command } from '../context.js';
import { formatStates, type ProgramRow, print, printJson } from '../output.js';
import { buildChecks, CHECK_OPTIONS } from './check-flags.js';

// `tend start [options] -- COMMAND [ARGS...]` creates and starts a program;
// `tend start NAME|all` starts existing ones.

const RESTART_POLICIES = ['always', 'on-failure', 'never'];
const INTERPRETERS = new Set([
  'node',
  'python',
  'python3',
  'ruby',
  'perl',
  'php',
  'bash',
  'sh',
  'deno',
  'bun',
  'tsx',
]);

const OPTIONS = {
  name: { type: 'string', short: 'n' },
  cwd: { type: 'string' },
  env: { type: 'string', short: 'e', multiple: true },
  restart: { type: 'string' },
  'on-exit': { type: 'string' },
  'restart-delay': { type: 'string' },
  'stop-signal': { type: 'string' },
  'stop-timeout': { type: 'string' },
  'start-secs': { type: 'string' },
  ready: { type: 'string' },
  'start-timeout': { type: 'string' },
  watchdog: { type: 'string' },
  'success-codes': { type: 'string' },
  'give-up': { type: 'string' },
  'no-start': { type: 'boolean' },
  'out-log': { type: 'string' },
  'err-log': { type: 'string' },
  'merge-logs': { type: 'boolean' },
  'log-timestamps': { type: 'boolean' },
  'log-json': { type: 'boolean' },
  'log-max-size': { type: 'string' },
  'log-keep': { type: 'string' },
  'log-compress': { type: 'boolean' },
  'log-daily': { type: 'boolean' },
  json: { type: 'boolean' },
  socket: { type: 'string', multiple: true },
  ...CHECK_OPTIONS,
} as const;

export const startCommand: Command = async (args, { api }) => {
  const { values, positionals, rest } = parseCommandArgs('start', args, OPTIONS);
  if (rest === null) {
    const name = requireOne('start', positionals, 'a program name, or -- COMMAND to start a new program');
    const rows = await api.call<ProgramRow[]>('POST', `/programs/${encodeURIComponent(name)}/start`);
    if (values.json) printJson(rows);
    else print(rows.length > 0 ? formatStates(rows) : 'nothing to start');
    return 0;
  }
  if (positionals.length > 0)
    throw new BadArgumentError(`start: unexpected argument "${positionals[0]}" before --`);
  if (rest.length === 0) throw new BadArgumentError('start: missing the command after --');
  const body = buildProgramBody(values, rest);
  const row = await api.call<ProgramRow>('POST', '/programs', body);
  if (values.json) printJson(row);
  else print(formatStates([row]));
  return 0;
};

type StartValues = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

function buildProgramBody(values: StartValues, commandWords: string[]): Record<string, unknown> {
  // One word with spaces is a shell command line; several words are an argv list.
  const first = commandWords[0] as string;
  const command = commandWords.length === 1 && /\s/.test(first) ? first : commandWords;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  for (const pair of values.env ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new BadArgumentError(`start: --env expects KEY=VALUE, got "${pair}"`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const body: Record<string, unknown> = {
    name: values.name ?? deriveName(commandWords),
    command,
    cwd: resolve(values.cwd ?? process.cwd()),
    env,
    start: !values['no-start'],
  };
  if (values.restart !== undefined) {
    if (!RESTART_POLICIES.includes(values.restart)) {
      throw new BadArgumentError(
        `start: --restart must be one of ${RESTART_POLICIES.join(', ')}, got "${values.restart}"`,
      );
    }
    body.restart = values.restart;
  }
  // The API's schema checks the value (restart, shutdown, ignore) and names it when it is wrong.
  if (values['on-exit'] !== undefined) body.onExit = values['on-exit'];
  const durations = [
    ['restart-delay', 'restartDelay'],
    ['stop-timeout', 'stopTimeout'],
    ['start-secs', 'startSecs'],
    ['start-timeout', 'startTimeout'],
    ['watchdog', 'watchdog'],
  ] as const;
  for (const [flag, key] of durations) {
    const text = values[flag];
    if (text === undefined) continue;
    if (parseDuration(text) === undefined) {
      throw new BadArgumentError(`start: --${flag} expects a duration like 500ms, 10s or 2m, got "${text}"`);
    }
    body[key] = text;
  }
  if (values['stop-signal'] !== undefined) {
    if (!normalizeSignal(values['stop-signal'])) {
      throw new BadArgumentError(
        `start: --stop-signal expects a signal like TERM or INT, got "${values['stop-signal']}"`,
      );
    }
    body.stopSignal = values['stop-signal'];
  }
  if (values.ready !== undefined) {
    if (!['startSecs', 'notify', 'fd'].includes(values.ready)) {
      throw new BadArgumentError(`start: --ready must be notify, fd or startSecs, got "${values.ready}"`);
    }
    body.ready = values.ready;
  }
  if (values['success-codes'] !== undefined) body.successExitCodes = parseCodes(values['success-codes']);
  if (values['give-up'] !== undefined) body.giveUp = parseGiveUp(values['give-up']);
  const logs = buildLogOptions(values);
  if (Object.keys(logs).length > 0) body.logs = logs;
  if (values.socket) body.sockets = values.socket;
  const checks = buildChecks(values);
  if (checks.length > 0) body.checks = checks;
  return body;
}

function buildLogOptions(values: StartValues): Record<string, unknown> {
  const logs: Record<string, unknown> = {};
  const target = (text: string) => (text === 'console' || text.startsWith('/') ? text : resolve(text));
  if (values['out-log'] !== undefined) logs.out = target(values['out-log']);
  if (values['err-log'] !== undefined) logs.err = target(values['err-log']);
  if (values['merge-logs']) logs.merge = true;
  if (values['log-timestamps']) logs.timestamps = true;
  if (values['log-json']) logs.format = 'json';
  if (values['log-compress']) logs.compress = true;
  if (values['log-daily']) logs.rotateDaily = true;
  const maxSize = values['log-max-size'];
  if (maxSize !== undefined) {
    if (parseSize(maxSize) === undefined) {
      throw new BadArgumentError(`start: --log-max-size expects a size like 10MB, got "${maxSize}"`);
    }
    logs.maxSize = maxSize;
  }
  const keep = values['log-keep'];
  if (keep !== undefined) {
    if (!/^\d+$/.test(keep))
      throw new BadArgumentError(`start: --log-keep expects a number of files, got "${keep}"`);
    logs.keep = Number(keep);
  }
  return logs;
}

function parseCodes(text: string): number[] {
  const codes = text.split(',').map((part) => Number(part.trim()));
  if (codes.some((code) => !Number.isInteger(code) || code < 0 || code > 255)) {
    throw new BadArgumentError(`start: --success-codes expects exit codes like 0,2, got "${text}"`);
  }
  return codes;
}

/** `--give-up 5/1m`: five failed starts within one minute make the program fatal. */
function parseGiveUp(text: string): { failures: number; within: string } {
  const [count, within] = text.split('/');
  const failures = Number(count);
  if (!Number.isInteger(failures) || failures < 1 || !within || parseDuration(within) === undefined) {
    throw new BadArgumentError(`start: --give-up expects COUNT/DURATION like 5/1m, got "${text}"`);
  }
  return { failures, within };
}

/** `python3 worker.py` → "worker"; `./server` → "server". */
export function deriveName(words: string[]): string {
  const [first = 'program', second] = words;
  const program = basename(first.split(/\s+/)[0] ?? first);
  const subject = INTERPRETERS.has(program) && second && !second.startsWith('-') ? basename(second) : program;
  const stem = basename(subject, extname(subject)) || subject;
  const cleaned = stem.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return cleaned.slice(0, 64) || 'program';
}
