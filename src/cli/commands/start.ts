import { existsSync } from 'node:fs';
import { basename, delimiter, extname, join, resolve } from 'node:path';
import { ApiError } from '../../api/client.js';
import { BadArgumentError, isTendError } from '../../errors.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { formatStates, type ProgramRow, print, printJson } from '../output.js';
import { waitUntilRunning } from '../wait-start.js';
import { buildChecks, CHECK_OPTIONS } from './check-flags.js';

// `tend start [options] -- COMMAND [ARGS...]` creates and starts a program;
// `tend start NAME...|all` starts existing ones. Both wait until it runs unless --no-wait.
// Values are checked by the daemon's schema (one set of rules); its complaint is reported here
// under the flag that carried the value.

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
  'no-wait': { type: 'boolean' },
  json: { type: 'boolean' },
  socket: { type: 'string', multiple: true },
  ...CHECK_OPTIONS,
} as const;

/** Options that apply to starting existing programs too; every other one describes a new program. */
const EXISTING_OPTIONS = new Set(['json', 'no-wait']);

/** A field of the request body (as the daemon names it) → the flag that set it. */
const FLAG_BY_FIELD: Record<string, string> = {
  name: '--name',
  command: 'the command after --',
  cwd: '--cwd',
  env: '--env',
  restart: '--restart',
  onExit: '--on-exit',
  restartDelay: '--restart-delay',
  stopSignal: '--stop-signal',
  stopTimeout: '--stop-timeout',
  startSecs: '--start-secs',
  ready: '--ready',
  startTimeout: '--start-timeout',
  watchdog: '--watchdog',
  successExitCodes: '--success-codes',
  giveUp: '--give-up',
  'logs.out': '--out-log',
  'logs.err': '--err-log',
  'logs.maxSize': '--log-max-size',
  'logs.keep': '--log-keep',
};

export const startCommand: Command = async (args, { api }) => {
  const { values, positionals, rest } = parseCommandArgs('start', args, OPTIONS);
  const wait = !values['no-wait'];
  if (rest === null) {
    const forNew = Object.keys(values).find((option) => !EXISTING_OPTIONS.has(option));
    if (forNew !== undefined) {
      throw new BadArgumentError(
        `start: --${forNew} is for a new program: put its command after --, as in tend start --${forNew} … -- ${positionals.join(' ') || 'COMMAND'}`,
      );
    }
    if (positionals.length === 0)
      throw new BadArgumentError('start: missing a program name, or -- COMMAND to start a new program');
    const rows = await startExisting(api, positionals);
    const final = wait ? await waitUntilRunning(api, rows, { quiet: values.json === true }) : rows;
    if (values.json) printJson(final);
    else print(final.length > 0 ? formatStates(final) : 'nothing to start');
    return 0;
  }
  if (positionals.length > 0)
    throw new BadArgumentError(`start: unexpected argument "${positionals[0]}" before --`);
  if (rest.length === 0) throw new BadArgumentError('start: missing the command after --');
  const body = buildProgramBody(values, rest);
  let row: ProgramRow;
  try {
    row = await api.call<ProgramRow>('POST', '/programs', body);
  } catch (error) {
    throw toFlagError(error);
  }
  const final =
    wait && body.start
      ? ((await waitUntilRunning(api, [row], { quiet: values.json === true }))[0] ?? row)
      : row;
  if (values.json) printJson(final);
  else print(formatStates([final]));
  return 0;
};

async function startExisting(api: Parameters<Command>[1]['api'], names: string[]): Promise<ProgramRow[]> {
  const target = names.join(',');
  try {
    return await api.call<ProgramRow[]>('POST', `/programs/${encodeURIComponent(target)}/start`);
  } catch (error) {
    // `tend start server.js`: a file or a command, not a program's name.
    const word = names.find(looksLikeCommand);
    if (isTendError(error) && error.code === 'NOT_FOUND' && word !== undefined) {
      throw new BadArgumentError(
        `start: no program named "${word}"; to start it as a new program put the command after --: tend start -- ${names.join(' ')}`,
      );
    }
    throw error;
  }
}

function looksLikeCommand(word: string): boolean {
  if (word.includes('/') || existsSync(resolve(word))) return true;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.some((dir) => existsSync(join(dir, word)));
}

/** The daemon's complaint about one value, said about the flag that carried it. */
function toFlagError(error: unknown): unknown {
  if (!(error instanceof ApiError) || error.field === null || error.problem === null) return error;
  const [, first = '', second = ''] = error.field.split('.');
  const flag = FLAG_BY_FIELD[`${first}.${second}`] ?? FLAG_BY_FIELD[first];
  return flag === undefined ? error : new BadArgumentError(`start: ${flag}: ${error.problem}`);
}

type StartValues = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

/** A whole number is sent as one; anything else as written, for the daemon to name what is wrong. */
function toNumber(text: string): number | string {
  return /^\d+$/.test(text.trim()) ? Number(text) : text;
}

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
  const passed = [
    ['restart', 'restart'],
    ['on-exit', 'onExit'],
    ['restart-delay', 'restartDelay'],
    ['stop-timeout', 'stopTimeout'],
    ['start-secs', 'startSecs'],
    ['start-timeout', 'startTimeout'],
    ['watchdog', 'watchdog'],
    ['stop-signal', 'stopSignal'],
    ['ready', 'ready'],
  ] as const;
  for (const [flag, key] of passed) if (values[flag] !== undefined) body[key] = values[flag];
  const codes = values['success-codes'];
  if (codes !== undefined) body.successExitCodes = codes.split(',').map(toNumber);
  const giveUp = values['give-up'];
  if (giveUp !== undefined) {
    const [failures, within] = giveUp.split('/');
    if (!failures || !within)
      throw new BadArgumentError(`start: --give-up expects COUNT/DURATION like 5/1m, got "${giveUp}"`);
    body.giveUp = { failures: toNumber(failures), within };
  }
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
  if (values['log-max-size'] !== undefined) logs.maxSize = values['log-max-size'];
  if (values['log-keep'] !== undefined) logs.keep = toNumber(values['log-keep']);
  return logs;
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
