import type { ProgramSnapshot } from '../program-record.js';

// The one-line summary an init system shows for the daemon (STATUS=, `systemctl status`):
// "12 programs, 11 running, 1 fatal". Computed at most once per turn of the event loop, however
// many programs changed in it, and sent only when the text changed.

export function getStatusLine(programs: readonly ProgramSnapshot[]): string {
  const count = (state: string) => programs.filter((program) => program.state === state).length;
  const parts = [
    `${programs.length} program${programs.length === 1 ? '' : 's'}`,
    `${count('running')} running`,
  ];
  const fatal = count('fatal');
  if (fatal > 0) parts.push(`${fatal} fatal`);
  return parts.join(', ');
}

/** Returns a function to call on every change; it sends `getStatusLine` when the text differs. */
export function createStatusReporter(
  list: () => readonly ProgramSnapshot[],
  send: (text: string) => void,
): () => void {
  let scheduled = false;
  let last: string | null = null;
  const report = () => {
    scheduled = false;
    const text = getStatusLine(list());
    if (text === last) return;
    last = text;
    send(text);
  };
  return () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(report);
  };
}
