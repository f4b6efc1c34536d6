import type { MachineEvent } from './states.js';

// sd_notify datagrams (`READY=1\nSTATUS=Serving`): the assignments, and what they mean for a program.

export interface NotifyMessage {
  /** STATUS=: a line for `show`; undefined when the datagram has none. */
  readonly status: string | undefined;
  /** WATCHDOG_USEC=: the program sets its own watchdog interval; null when not given. */
  readonly watchdogMs: number | null;
  /** The inputs for the table, in the order they were meant: READY, WATCHDOG, EXTEND_TIMEOUT. */
  readonly events: readonly MachineEvent[];
}

/** Parses `READY=1\nSTATUS=Serving` into its assignments. */
export function parseNotifyMessage(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

export function readNotifyFields(fields: ReadonlyMap<string, string>): NotifyMessage {
  const events: MachineEvent[] = [];
  if (fields.get('READY') === '1') events.push({ type: 'ready' });
  if (fields.get('WATCHDOG') === '1') events.push({ type: 'watchdog-ping' });
  const extendMs = getMicrosAsMs(fields.get('EXTEND_TIMEOUT_USEC'));
  if (extendMs !== null) events.push({ type: 'extend-timeout', ms: extendMs });
  return { status: fields.get('STATUS'), watchdogMs: getMicrosAsMs(fields.get('WATCHDOG_USEC')), events };
}

/** A positive number of microseconds, rounded up to whole milliseconds; null otherwise. */
function getMicrosAsMs(value: string | undefined): number | null {
  const usec = Number(value);
  return value !== undefined && Number.isFinite(usec) && usec > 0 ? Math.ceil(usec / 1000) : null;
}
