import { DAEMON_NODE_FLAGS } from '../daemon/node-flags.js';
import type { StartupScope } from './unit-name.js';

// The systemd unit that runs `tend daemon run` for one TEND_HOME (docs/boot.md explains each line).
// - Type=notify: the daemon sends READY=1 once it restored and re-adopted every program and its API
//   answers, STATUS= with a summary, STOPPING=1 on the way out, WATCHDOG=1 within WatchdogSec.
// - NotifyAccess=all: `tend daemon restart` hands over to a successor that announces itself with
//   MAINPID=; systemd accepts that only from a process other than the main one with this setting.
// - KillMode=mixed: SIGTERM goes to the daemon alone, which stops each program its own way (stop
//   signal, stop timeout); whatever is left when it has exited gets SIGKILL.
// - TimeoutStopSec above the largest stop timeout (the daemon also extends it when it stops).

export interface DaemonUnitSpec {
  readonly scope: StartupScope;
  readonly nodePath: string;
  readonly tendPath: string;
  readonly tendHome: string;
  /** system scope: the account the daemon runs as (null: root). */
  readonly user: string | null;
  /** PATH for the daemon, so programs find their commands as they did from the shell. */
  readonly pathEnv: string;
  readonly timeoutStopSec: number;
}

export const WATCHDOG_SEC = 60;
const RESTART_SEC = 1;
// What the supervisor gives a stop beyond its stop timeout to settle, and a margin for the daemon's exit.
const SETTLE_GRACE_MS = 5000;
const EXIT_MARGIN_MS = 10_000;

export function renderSystemdUnit(spec: DaemonUnitSpec): string {
  const system = spec.scope === 'system';
  const lines = [
    '# Written by `tend startup`; `tend unstartup` removes it. See docs/boot.md.',
    '[Unit]',
    `Description=tend process supervisor (TEND_HOME=${escapeValue(spec.tendHome)})`,
    ...(system ? ['Wants=network-online.target', 'After=network-online.target'] : []),
    '',
    '[Service]',
    'Type=notify',
    'NotifyAccess=all',
    `ExecStart=${[spec.nodePath, ...DAEMON_NODE_FLAGS, spec.tendPath, 'daemon', 'run'].map(quoteArgument).join(' ')}`,
    `Environment=${quoteAssignment(`TEND_HOME=${spec.tendHome}`)}`,
    `Environment=${quoteAssignment(`PATH=${spec.pathEnv}`)}`,
    ...(system && spec.user !== null && spec.user !== 'root' ? [`User=${spec.user}`] : []),
    'WorkingDirectory=/',
    'KillMode=mixed',
    `TimeoutStopSec=${spec.timeoutStopSec}s`,
    `WatchdogSec=${WATCHDOG_SEC}s`,
    'Restart=on-failure',
    `RestartSec=${RESTART_SEC}s`,
    '',
    '[Install]',
    `WantedBy=${system ? 'multi-user.target' : 'default.target'}`,
    '',
  ];
  return lines.join('\n');
}

/**
 * Stop timeouts run side by side, so the daemon needs the largest one, plus the grace the supervisor
 * gives a stop to settle, plus a margin for its own exit.
 */
export function getTimeoutStopSec(maxStopTimeoutMs: number): number {
  return Math.ceil((maxStopTimeoutMs + SETTLE_GRACE_MS + EXIT_MARGIN_MS) / 1000);
}

// systemd expands %-specifiers in most settings and $VARIABLES in ExecStart: both are doubled.
function escapeValue(text: string): string {
  return text.replace(/%/g, '%%');
}

/** One ExecStart word: `$` doubled (ExecStart expands variables), quoted when it must be. */
export function quoteArgument(word: string): string {
  return quoteWord(escapeValue(word).replace(/\$/g, '$$$$'));
}

/** One Environment= assignment (no variable expansion there: `$` stays as it is). */
export function quoteAssignment(assignment: string): string {
  return quoteWord(escapeValue(assignment));
}

function quoteWord(text: string): string {
  if (!/[\s"'\\;]/.test(text)) return text;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
