import { streamApi } from '../../api/client.js';
import { BadArgumentError, isTendError } from '../../errors.js';
import { parseDuration } from '../../units.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { paint, printJson } from '../output.js';

// `tend logs [NAME|all] [-n LINES] [-f] [--out|--err] [--since DUR] [--json] [--no-color] [-t]`
// and `tend flush [NAME|all]`.

const RECONNECT_INTERVAL_MS = 200;
const RECONNECT_TIMEOUT_MS = 15_000;
const PALETTE = ['36', '33', '35', '32', '34', '96', '93', '95', '92', '94'];

interface LogLine {
  time: string | null;
  program: string;
  stream: 'out' | 'err';
  line: string;
  dropped?: number;
  cursor?: string;
}

export const logsCommand: Command = async (args, { apiNoStart: api, paths }) => {
  const { values, positionals } = parseCommandArgs('logs', args, {
    lines: { type: 'string', short: 'n' },
    follow: { type: 'boolean', short: 'f' },
    out: { type: 'boolean' },
    err: { type: 'boolean' },
    since: { type: 'string' },
    json: { type: 'boolean' },
    'no-color': { type: 'boolean' },
    timestamps: { type: 'boolean', short: 't' },
  });
  const target = positionals.length > 0 ? positionals.join(',') : 'all';
  const lines = values.lines ?? '20';
  if (!/^\d+$/.test(lines)) throw new BadArgumentError(`logs: -n expects a number of lines, got "${lines}"`);
  if (values.since !== undefined && parseDuration(values.since) === undefined) {
    throw new BadArgumentError(`logs: --since expects a duration like 10m, got "${values.since}"`);
  }
  if (values.out && values.err) throw new BadArgumentError('logs: --out and --err exclude each other');
  const stream = values.out ? 'out' : values.err ? 'err' : 'both';
  const query = new URLSearchParams({ lines, stream });
  if (values.since !== undefined) query.set('since', values.since);
  if (values.follow) query.set('follow', 'true');

  // The first call checks the name, and that a daemon runs (a read-only verb never starts one).
  const programs = await api.call<unknown[]>('GET', `/programs?names=${encodeURIComponent(target)}`);
  const color = values['no-color'] !== true && !values.json;
  const print = createPrinter({
    json: values.json === true,
    color,
    prefix: target === 'all' || programs.length > 1,
    time: values.timestamps === true,
  });
  const path = `/programs/${encodeURIComponent(target)}/logs`;

  // Where each followed log file stood after the last line printed (`out:INODE:OFFSET`, by program
  // and file): a reconnect asks the next daemon for what came after, so a restart skips nothing.
  const cursors = new Map<string, string>();
  const onRecord = (raw: unknown) => {
    const { program, cursor } = raw as LogLine;
    if (cursor) cursors.set(`${program}:${cursor.slice(0, cursor.indexOf(':'))}`, `${program}:${cursor}`);
    // A record with neither a line nor a count only says where a follow starts.
    if ((raw as LogLine).line !== undefined || (raw as LogLine).dropped !== undefined) print(raw);
  };
  let stopped = false;
  let current = streamApi(paths.socket, `${path}?${query}`, onRecord);
  process.once('SIGINT', () => {
    stopped = true;
    current.cancel();
  });
  await current.done;
  // The daemon went away while following (a `tend daemon restart`, say): reconnect and read on
  // after the cursors (from now for a log that gave none yet).
  const live = new URLSearchParams(query);
  live.set('lines', '0');
  while (values.follow && !stopped) {
    const deadline = Date.now() + RECONNECT_TIMEOUT_MS;
    let reconnected = false;
    while (!stopped && Date.now() < deadline && !reconnected) {
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_INTERVAL_MS));
      try {
        live.delete('after');
        for (const cursor of cursors.values()) live.append('after', cursor);
        current = streamApi(paths.socket, `${path}?${live}`, onRecord);
        reconnected = true;
        await current.done;
      } catch (error) {
        if (!(isTendError(error) && error.code === 'DAEMON_UNAVAILABLE')) throw error;
      }
    }
    if (!reconnected) break;
  }
  return 0;
};

function createPrinter(options: { json: boolean; color: boolean; prefix: boolean; time: boolean }) {
  const colors = new Map<string, string>();
  const colorOf = (program: string) => {
    let code = colors.get(program);
    if (!code) {
      code = PALETTE[colors.size % PALETTE.length] as string;
      colors.set(program, code);
    }
    return code;
  };
  const tint = (text: string, code: string) => (options.color ? paint(text, code) : text);
  return (raw: unknown) => {
    const record = raw as LogLine;
    if (options.json) {
      printJson(record, false);
      return;
    }
    if (record.dropped !== undefined) {
      process.stdout.write(
        `${tint(`[${record.dropped} lines skipped: this terminal read slower than the program wrote]`, '90')}\n`,
      );
      return;
    }
    const time = options.time && record.time ? `${tint(record.time, '90')} ` : '';
    const prefix = options.prefix ? `${tint(`${record.program} |`, colorOf(record.program))} ` : '';
    const line = record.stream === 'err' ? tint(record.line, '31') : record.line;
    process.stdout.write(`${time}${prefix}${line}\n`);
  };
}

export const flushCommand: Command = async (args, { api }) => {
  const { values, positionals } = parseCommandArgs('flush', args, { json: { type: 'boolean' } });
  if (positionals.length > 1) throw new BadArgumentError(`flush: unexpected argument "${positionals[1]}"`);
  const target = positionals[0] ?? 'all';
  const result = await api.call<{ flushed: string[] }>(
    'POST',
    `/programs/${encodeURIComponent(target)}/logs/flush`,
  );
  if (values.json) printJson(result);
  else
    process.stdout.write(
      `${result.flushed.length > 0 ? result.flushed.map((path) => `emptied ${path}`).join('\n') : 'nothing to flush'}\n`,
    );
  return 0;
};
