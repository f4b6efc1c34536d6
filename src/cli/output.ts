import type { ProgramStatusView } from '../api/views.js';
import { formatDuration } from '../units.js';

// Everything the CLI prints goes through here; library code never prints.

/** A program as the API lists it (only the type is imported: nothing of the daemon loads here). */
export type ProgramRow = ProgramStatusView;

const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;

const STATE_COLORS: Record<string, string> = {
  running: '32',
  starting: '36',
  backoff: '33',
  stopping: '33',
  exited: '90',
  stopped: '90',
  fatal: '31',
};

const HEALTH_COLORS: Record<string, string> = {
  healthy: '32',
  checking: '36',
  starting: '36',
  unready: '33',
  unhealthy: '31',
};

/** Colours text when stdout is a terminal, unless NO_COLOR is set. */
export function paint(text: string, code: string | undefined): string {
  return useColor && code ? `\x1b[${code}m${text}\x1b[0m` : text;
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function printJson(value: unknown, pretty = true): void {
  process.stdout.write(`${pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`);
}

export function printError(message: string): void {
  process.stderr.write(`tend: ${message}\n`);
}

export function formatExit(row: Pick<ProgramRow, 'exitCode' | 'signal'>): string {
  if (row.signal) return row.signal;
  return row.exitCode === null ? '-' : String(row.exitCode);
}

export function formatTable(rows: ProgramRow[]): string {
  // The STATUS column (sd_notify STATUS= texts) appears only when some program sent one, HEALTH
  // when some program has checks.
  const withStatus = rows.some((row) => row.status);
  const withHealth = rows.some((row) => row.health !== 'none');
  const header = [
    'NAME',
    'STATE',
    'PID',
    'UPTIME',
    'RESTARTS',
    'LAST EXIT',
    ...(withHealth ? ['HEALTH'] : []),
    ...(withStatus ? ['STATUS'] : []),
  ];
  const cells = rows.map((row) => [
    row.name,
    row.state,
    row.pid === null ? '-' : String(row.pid),
    row.uptimeMs === null ? '-' : formatDuration(row.uptimeMs),
    String(row.restarts),
    formatExit(row),
    ...(withHealth ? [row.health === 'none' ? '-' : row.health] : []),
    ...(withStatus ? [row.status ?? ''] : []),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => (cell[column] ?? '').length)),
  );
  const line = (cell: string[], colorState: boolean) =>
    cell
      .map((value, column) => {
        const padded = value.padEnd(widths[column] ?? 0);
        if (!colorState) return padded;
        if (column === 1) return paint(padded, STATE_COLORS[value]);
        return withHealth && column === 6 ? paint(padded, HEALTH_COLORS[value]) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header, false), ...cells.map((cell) => line(cell, true))].join('\n');
}

export function formatStates(rows: ProgramRow[]): string {
  return rows
    .map(
      (row) =>
        `${row.name}: ${paint(row.state, STATE_COLORS[row.state])}${row.pid ? ` (pid ${row.pid})` : ''}`,
    )
    .join('\n');
}

export function printWarning(message: string): void {
  process.stderr.write(`tend: warning: ${message}\n`);
}
