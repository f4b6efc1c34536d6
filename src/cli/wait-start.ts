import { streamApi } from '../api/client.js';
import type { ProgramDetailView } from '../api/views.js';
import { TendError } from '../errors.js';
import { formatDuration } from '../units.js';
import type { Connection } from './connection.js';
import { type ProgramRow, print } from './output.js';

// `tend start`/`restart` return once every program they started is running (like `systemctl start`
// of a Type=notify unit), or fail with the reason and the last lines of its log.

const POLL_INTERVAL_MS = 50;
const LOG_LINES_ON_FAILURE = 10;
/** States a start cannot come back from by itself (a backoff is a failed start too). */
const FAILED_STATES = new Set(['backoff', 'fatal', 'exited', 'stopped']);

export class StartFailedError extends TendError {
  constructor(name: string, why: string, lastLines: string[]) {
    const log =
      lastLines.length > 0
        ? `\n  last lines of its log:\n${lastLines.map((line) => `  | ${line}`).join('\n')}`
        : '';
    super('SPAWN_FAILED', `Program "${name}" did not start: ${why}${log}`);
  }
}

/** What a program waits for before it counts as running, as `show` would say it. */
export function describeReadiness(
  detail: Pick<ProgramDetailView, 'ready' | 'startSecsMs' | 'startTimeoutMs'>,
): string {
  if (detail.ready === 'startSecs') return `up for ${formatDuration(detail.startSecsMs)}`;
  const signal = detail.ready === 'notify' ? 'READY=1 over sd_notify' : 'a line on its ready fd';
  return `${signal}, at most ${formatDuration(detail.startTimeoutMs)}`;
}

export async function waitUntilRunning(
  api: Connection,
  started: readonly ProgramRow[],
  options: { quiet: boolean },
): Promise<ProgramRow[]> {
  const pending = new Map(started.map((row) => [row.name, row]));
  if (!options.quiet) {
    for (const row of started.filter((candidate) => candidate.state !== 'running')) {
      const detail = await api.call<ProgramDetailView>('GET', `/programs/${encodeURIComponent(row.name)}`);
      print(`${row.name}: waiting until it runs (${describeReadiness(detail)}); --no-wait returns at once`);
    }
  }
  const done = new Map<string, ProgramRow>();
  for (;;) {
    const rows = await api.call<ProgramRow[]>('GET', '/programs');
    for (const [name, before] of pending) {
      const row = rows.find((candidate) => candidate.name === name);
      if (!row) throw new StartFailedError(name, 'it was deleted meanwhile', []);
      // A restart since the start began is a start that failed, even if the program is up again.
      const failed = FAILED_STATES.has(row.state) || row.restarts > before.restarts;
      if (failed) throw new StartFailedError(name, describeFailure(row), await readLastLines(api, name));
      if (row.state === 'running') {
        done.set(name, row);
        pending.delete(name);
      }
    }
    if (pending.size === 0) return started.map((row) => done.get(row.name) ?? row);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function describeFailure(row: ProgramRow): string {
  const reason = row.reason ?? (row.signal ? `killed by ${row.signal}` : `exited with code ${row.exitCode}`);
  return `${row.state === 'starting' ? 'it failed and is starting again' : `it is ${row.state}`} (${reason})`;
}

async function readLastLines(api: Connection, name: string): Promise<string[]> {
  const lines: string[] = [];
  try {
    const path = `/programs/${encodeURIComponent(name)}/logs?lines=${LOG_LINES_ON_FAILURE}&stream=both`;
    await streamApi(api.paths.socket, path, (record) => {
      const { line } = record as { line?: string };
      if (typeof line === 'string') lines.push(line);
    }).done;
  } catch {
    // the reason alone still says what happened
  }
  return lines;
}
