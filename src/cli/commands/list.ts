import type { ProgramDetailView } from '../../api/views.js';
import { BadArgumentError } from '../../errors.js';
import type { HistoryEvent } from '../../store/program-store.js';
import { formatDuration } from '../../units.js';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../context.js';
import { formatExit, formatTable, type ProgramRow, paint, print, printJson } from '../output.js';
import { describeReadiness } from '../wait-start.js';

// `tend ls [--json]`, `tend show NAME [--json] [--show-env]`, `tend events [NAME] [-n N] [--json]`.

export const listCommand: Command = async (args, { apiNoStart: api }) => {
  const { values, positionals } = parseCommandArgs('ls', args, { json: { type: 'boolean' } });
  const query = positionals.length > 0 ? `?names=${encodeURIComponent(positionals.join(','))}` : '';
  const rows = await api.call<ProgramRow[]>('GET', `/programs${query}`);
  if (values.json) printJson(rows);
  else if (rows.length === 0) print('no programs (start one with: tend start -- COMMAND)');
  else print(formatTable(rows));
  return 0;
};

export const showCommand: Command = async (args, { apiNoStart: api }) => {
  const { values, positionals } = parseCommandArgs('show', args, {
    json: { type: 'boolean' },
    'show-env': { type: 'boolean' },
  });
  if (positionals.length === 0) throw new BadArgumentError('show: missing a program name');
  const query = values['show-env'] ? '?env=true' : '';
  // A program with instances is shown instance by instance.
  const rows = await api.call<ProgramRow[]>(
    'GET',
    `/programs?names=${encodeURIComponent(positionals.join(','))}`,
  );
  const details: ProgramDetailView[] = [];
  for (const row of rows) {
    details.push(
      await api.call<ProgramDetailView>('GET', `/programs/${encodeURIComponent(row.name)}${query}`),
    );
  }
  if (values.json) printJson(positionals.length === 1 && details.length === 1 ? details[0] : details);
  else print(details.map(formatDetail).join('\n\n'));
  return 0;
};

function formatDetail(detail: ProgramDetailView): string {
  const command = typeof detail.command === 'string' ? detail.command : detail.command.map(quote).join(' ');
  const env = Object.entries(detail.env).map(([key, value]) => `${key}=${value}`);
  const lines: [string, string][] = [
    ['name', detail.name],
    ['state', `${detail.state}${detail.adopted ? ' (adopted)' : ''}`],
    ['desired', detail.desired],
    ['pid', detail.pid === null ? '-' : String(detail.pid)],
    ['started', detail.startedAt ?? '-'],
    ['restarts', String(detail.restarts)],
    ['last exit', formatExit(detail)],
    ['reason', detail.reason ?? '-'],
    ['status', detail.status ?? '-'],
    ['command', command],
    ['cwd', detail.cwd],
    ['env', env.length > 0 ? env.join(' ') : '-'],
    ['restart', `${detail.restart} (success codes ${detail.successExitCodes.join(',')})`],
    ['on exit', detail.onExit],
    [
      'backoff',
      `delay ${detail.restartDelayMs}ms, initial ${detail.backoff.initialMs}ms ×${detail.backoff.multiplier} up to ${detail.backoff.maxMs}ms, reset after ${detail.backoff.resetAfterMs}ms`,
    ],
    [
      'give up',
      detail.giveUp ? `${detail.giveUp.failures} failed starts within ${detail.giveUp.withinMs}ms` : 'never',
    ],
    [
      'ready',
      `${detail.ready === 'fd' ? `fd ${detail.readyFd}` : detail.ready}: ${describeReadiness(detail)}`,
    ],
    [
      'watchdog',
      detail.watchdogMs === null ? '-' : `WATCHDOG=1 at least every ${formatDuration(detail.watchdogMs)}`,
    ],
    ['stop', `${detail.stopSignal}, SIGKILL after ${detail.stopTimeoutMs}ms`],
    ...formatChecks(detail),
    ...detail.sockets.map((socket, index): [string, string] => [
      `socket fd ${3 + index}`,
      `${socket.address} (${socket.name})`,
    ]),
    ['tracking', formatTracking(detail)],
    ['limits', formatLimits(detail)],
    ...(detail.tracking?.note
      ? [['limits note', paint(detail.tracking.note, '33')] as [string, string]]
      : []),
    ['reload', detail.reloadSignal ?? 'a new process on the held sockets, else a restart'],
    ['pid file', detail.pidFile ?? '-'],
    [
      'activation',
      `${detail.activation === 'socket' ? 'on the first connection' : 'at start'}${detail.idleStopMs === null ? '' : `, stopped after ${formatDuration(detail.idleStopMs)} idle`}`,
    ],
    ['user', detail.user ?? "the daemon's"],
    ['group', detail.group ?? (detail.user ? "the user's" : "the daemon's")],
    ['umask', detail.umask ?? "the daemon's"],
    ['autostart', detail.autostart ? 'yes' : 'no (tend up creates it stopped)'],
    ['depends on', detail.dependsOn.length > 0 ? detail.dependsOn.join(', ') : '-'],
    ['source', detail.source ?? 'tend start'],
    [
      'instance',
      detail.instanceOf === null
        ? '-'
        : `${detail.instance} of ${detail.instanceOf}${detail.offsetEnv.length > 0 ? ` (offset: ${detail.offsetEnv.join(', ')})` : ''}`,
    ],
    ['stdout log', detail.logs.out],
    ['stderr log', detail.logs.merge ? `${detail.logs.err} (merged into stdout)` : detail.logs.err],
    ['log format', `${detail.logs.format}${detail.logs.timestamps ? ', timestamps' : ''}`],
    [
      'log rotation',
      `${detail.logs.maxSizeBytes === 0 ? 'never by size' : `at ${formatSize(detail.logs.maxSizeBytes)}`}, keep ${detail.logs.keep}${detail.logs.compress ? ', gzip' : ''}${detail.logs.rotateDaily ? ', daily' : ''}`,
    ],
    ...detail.logs.faults.map((fault): [string, string] => [
      'log fault',
      paint(`${fault.path}: ${fault.error} since ${fault.since}, ${fault.droppedBytes} bytes dropped`, '31'),
    ]),
  ];
  const width = Math.max(...lines.map(([key]) => key.length));
  return lines.map(([key, value]) => `${paint(key.padEnd(width), '1')}  ${value}`).join('\n');
}

function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes} bytes`;
}

/** One line per check, then its last output indented (docs/health.md). */
function formatChecks(detail: ProgramDetailView): [string, string][] {
  if (detail.checks.length === 0) return [];
  const lines: [string, string][] = [['health', detail.health]];
  for (const check of detail.checks) {
    const last = check.last
      ? `, last ${check.last.ok ? 'ok' : 'failed'} at ${check.last.at} in ${Math.round(check.last.durationMs)}ms: ${check.last.message}`
      : ', not run yet';
    const failures = check.consecutiveFailures > 0 ? ` (${check.consecutiveFailures} failures in a row)` : '';
    lines.push([`check ${check.name}`, `${check.kind} ${check.level}: ${check.status}${failures}${last}`]);
    const output = check.last?.output.trimEnd();
    if (output) for (const line of output.split('\n').slice(-10)) lines.push(['', `  | ${line}`]);
  }
  return lines;
}

function formatTracking(detail: ProgramDetailView): string {
  if (!detail.tracking) return '-';
  if (detail.tracking.mode === 'cgroup') return `cgroup ${detail.tracking.cgroup}`;
  return 'process group + /proc sweep (no cgroup)';
}

/** Each limit with the cgroup that carries it: `memory 64MB (cgroup v1 memory), pids 50 (cgroup v2)`. */
function formatLimits(detail: ProgramDetailView): string {
  const { memoryBytes, cpus, pids } = detail.limits;
  const parts = [
    memoryBytes === null ? null : `memory ${formatBytes(memoryBytes)}${formatPlace(detail, 'memory')}`,
    cpus === null ? null : `cpu ${cpus}${formatPlace(detail, 'cpu')}`,
    pids === null ? null : `pids ${pids}${formatPlace(detail, 'pids')}`,
  ].filter((part) => part !== null);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function formatPlace(detail: ProgramDetailView, controller: 'memory' | 'cpu' | 'pids'): string {
  if (!detail.tracking) return '';
  const place = detail.tracking.limits?.[controller];
  if (!place) return ' (not applied)';
  return place.version === 2 ? ' (cgroup v2)' : ` (cgroup v1 ${controller})`;
}

function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export const eventsCommand: Command = async (args, { apiNoStart: api }) => {
  const { values, positionals } = parseCommandArgs('events', args, {
    json: { type: 'boolean' },
    lines: { type: 'string', short: 'n' },
  });
  const name = positionals.length > 0 ? positionals.join(',') : 'all';
  const limit = values.lines ?? '50';
  const events = await api.call<HistoryEvent[]>(
    'GET',
    `/programs/${encodeURIComponent(name)}/events?limit=${encodeURIComponent(limit)}`,
  );
  events.reverse();
  if (values.json) {
    printJson(events);
    return 0;
  }
  const lines = events.map(
    (event) =>
      `${new Date(event.time).toISOString()}  ${event.program}  ${event.from} → ${event.to}  (${event.event}${event.pid ? `, pid ${event.pid}` : ''})${event.message ? `  ${event.message}` : ''}`,
  );
  print(lines.length > 0 ? lines.join('\n') : 'no events');
  return 0;
};
