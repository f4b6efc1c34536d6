import { normalizeSignal } from '../../signals.js';
import { formatMs, formatSignal } from './format.js';
import { importExecStart } from './systemd-exec.js';
import { importEnvironment, importExitStatus, importSteps } from './systemd-service-combined.js';
import { getValue, type Unit } from './systemd-unit.js';
import { parseTimeSpan } from './systemd-values.js';
import type { TendYamlLogs, TendYamlProgram } from './types.js';

// One [Service] as a tend program: each key users write has a handler; any other key is noted. The
// keys read together after the handlers ran are systemd-service-combined.ts.

export interface ServiceContext {
  unit: Unit;
  program: TendYamlProgram;
  note(option: string, reason: string): void;
}

type Handler = (value: string, context: ServiceContext) => void;

const RESTARTS: Record<string, TendYamlProgram['restart']> = {
  no: 'never',
  always: 'always',
  'on-failure': 'on-failure',
  'on-abnormal': 'on-failure',
  'on-abort': 'on-failure',
  'on-watchdog': 'on-failure',
  'on-success': 'always',
};

function setSpan(value: string, context: ServiceContext, option: string, set: (span: string) => void): void {
  const ms = parseTimeSpan(value);
  if (ms === undefined) context.note(option, `"${value}" is not a time span systemd reads; left out`);
  else if (!Number.isFinite(ms) || ms === 0)
    context.note(option, `${value}: tend has no unlimited wait; left at tend's default`);
  else set(formatMs(ms));
}

function setLog(stream: 'out' | 'err', value: string, context: ServiceContext, option: string): void {
  context.program.logs ??= {};
  const logs: TendYamlLogs = context.program.logs;
  const [kind, path] = value.includes(':')
    ? [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)]
    : [value, ''];
  if (kind === 'append' || kind === 'file' || kind === 'truncate') {
    // tend adds the instance number to each instance's file itself (api.log → api-0.log).
    logs[stream] = path.replace(/-%i(?=(\.[^/.]*)?$)/, '').replace(/%%/g, '%');
    if (/%[^%]/.test(logs[stream] as string))
      context.note(option, `${path}: a specifier in a log path has no tend equivalent`);
    if (kind !== 'append') context.note(option, `${kind}: tend appends to ${path} and rotates it`);
  } else if (kind === 'null') logs[stream] = '/dev/null';
  else if (kind !== 'journal' && kind !== 'inherit' && kind !== 'journal+console')
    context.note(option, `${value}: tend writes its own log files (TEND_HOME/logs)`);
}

const MEMORY_UNITS: Record<string, string> = { K: 'KB', M: 'MB', G: 'GB' };

/** MemoryMax=512M, CPUQuota=50%, TasksMax=100 → limits; percentages of memory and infinity noted. */
function setLimit(context: ServiceContext, key: 'memory' | 'cpu' | 'pids', value: string): void {
  context.program.limits ??= {};
  const limits = context.program.limits;
  const memory = /^(\d+)([KMG]?)$/.exec(value);
  const cpu = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (key === 'memory' && memory)
    limits.memory = memory[2] ? `${memory[1]}${MEMORY_UNITS[memory[2]]}` : Number(memory[1]);
  else if (key === 'cpu' && cpu) limits.cpu = Number(cpu[1]) / 100;
  else if (key === 'pids' && /^\d+$/.test(value)) limits.pids = Number(value);
  else if (value !== 'infinity')
    context.note(
      key === 'memory' ? 'MemoryMax' : key === 'cpu' ? 'CPUQuota' : 'TasksMax',
      `"${value}" has no tend equivalent; left out`,
    );
  if (Object.keys(limits).length === 0) delete context.program.limits;
}

const HANDLERS: Record<string, Handler> = {
  Type: (value, { program, note }) => {
    if (value === 'notify' || value === 'notify-reload') program.ready = 'notify';
    else if (value === 'oneshot') program.restart ??= 'never';
    if (!['simple', 'exec', 'notify', 'notify-reload', 'oneshot'].includes(value))
      note(
        'Type',
        `${value}: tend supervises a program that stays in the foreground; run it without forking`,
      );
  },
  ExecStart: (value, { unit, program, note }) => {
    // An empty assignment resets the list; a second command (Type=oneshot) has no tend equivalent.
    if (value === '') {
      delete program.command;
      return;
    }
    if (program.command !== undefined)
      note('ExecStart', 'tend runs one command per program: only the last ExecStart= is kept');
    const imported = importExecStart(value, unit.name);
    program.command = imported.command;
    if (imported.offsetEnv.length > 0) program.offsetEnv = imported.offsetEnv;
    for (const prefix of imported.prefixes) note('ExecStart', `prefix ${prefix}; not in tend`);
    for (const specifier of imported.unknownSpecifiers)
      note('ExecStart', `${specifier} has no tend equivalent; kept as written`);
    if (imported.expands)
      note('ExecStart', 'variables are expanded by /bin/sh when the program starts, from its environment');
  },
  Environment: () => {}, // read as a whole below
  EnvironmentFile: () => {},
  WorkingDirectory: (value, { program }) => {
    const path = value.replace(/^-/, '');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: tend.yaml interpolates ${HOME} when loaded
    program.cwd = path === '~' ? '${HOME}' : path.replace(/^~\//, '${HOME}/');
  },
  User: (value, { program }) => {
    program.user = value;
  },
  Group: (value, { program }) => {
    program.group = value;
  },
  UMask: (value, { program }) => {
    program.umask = value.replace(/^0(?=[0-7]{3}$)/, '');
  },
  Restart: (value, { program, note }) => {
    const policy = RESTARTS[value];
    if (!policy) {
      note('Restart', `"${value}" is not a Restart= value; left at tend's default`);
      return;
    }
    program.restart = policy;
    if (value !== policy && !(value === 'no' && policy === 'never'))
      note('Restart', `${value}: tend has always, on-failure and never; ${policy} is the nearest`);
  },
  RestartSec: (value, context) =>
    setSpan(value, context, 'RestartSec', (span) => {
      context.program.restartDelay = span;
      context.program.backoff = { ...context.program.backoff, initial: span, multiplier: 1 };
    }),
  RestartMaxDelaySec: () => {}, // with RestartSteps, below
  RestartSteps: () => {},
  RestartForceExitStatus: () => {}, // with Restart=on-failure, below
  SuccessExitStatus: () => {},
  RestartPreventExitStatus: (value, { note }) =>
    note('RestartPreventExitStatus', `${value}: tend has no exit status that prevents a restart`),
  KillSignal: (value, { program, note }) => {
    const signal = normalizeSignal(value);
    if (signal) program.stopSignal = formatSignal(signal);
    else note('KillSignal', `"${value}" is not a signal; left at TERM`);
  },
  ExecReload: (value, { program, note }) => {
    // `kill -HUP $MAINPID`, the usual reload, is tend's reloadSignal; any other command is not.
    const match = /^(?:\/(?:usr\/)?bin\/)?kill\s+(?:-s\s+|-)([A-Za-z0-9+-]+)\s+\$\{?MAINPID\}?$/.exec(value);
    const signal = match ? normalizeSignal(match[1] as string) : undefined;
    if (signal) program.reloadSignal = formatSignal(signal);
    else
      note(
        'ExecReload',
        'tend reload sends a signal (reloadSignal) or replaces the process; a reload command has no equivalent',
      );
  },
  PIDFile: (value, { program }) => {
    program.pidFile = value.startsWith('/') ? value : `/run/${value}`;
  },
  MemoryMax: (value, context) => setLimit(context, 'memory', value),
  MemoryLimit: (value, context) => setLimit(context, 'memory', value),
  CPUQuota: (value, context) => setLimit(context, 'cpu', value),
  TasksMax: (value, context) => setLimit(context, 'pids', value),
  KillMode: (value, { note }) => {
    if (value === 'mixed')
      note(
        'KillMode',
        "mixed: tend sends the stop signal to the program's whole process group, not the main process only",
      );
    else if (value !== 'control-group')
      note('KillMode', `${value}: tend stops the program's whole process group, always`);
  },
  TimeoutStopSec: (value, context) =>
    setSpan(value, context, 'TimeoutStopSec', (span) => {
      context.program.stopTimeout = span;
    }),
  TimeoutStartSec: (value, context) =>
    setSpan(value, context, 'TimeoutStartSec', (span) => {
      context.program.startTimeout = span;
    }),
  TimeoutSec: (value, context) =>
    setSpan(value, context, 'TimeoutSec', (span) => {
      context.program.startTimeout = span;
      context.program.stopTimeout = span;
    }),
  WatchdogSec: (value, context) =>
    setSpan(value, context, 'WatchdogSec', (span) => {
      context.program.watchdog = span;
    }),
  NotifyAccess: () => {}, // tend listens to the program's whole process group
  Sockets: () => {}, // the .socket units imported with it become its sockets
  StandardOutput: (value, context) => setLog('out', value, context, 'StandardOutput'),
  StandardError: (value, context) => setLog('err', value, context, 'StandardError'),
  StartLimitIntervalSec: () => {}, // read with [Unit]'s
  StartLimitInterval: () => {},
  StartLimitBurst: () => {},
};

/** Maps [Service]; returns the keys it does not know, for one note. */
export function importService(context: ServiceContext): string[] {
  const unknown: string[] = [];
  for (const entry of context.unit.sections.get('Service') ?? []) {
    const handler = HANDLERS[entry.key];
    if (handler) handler(entry.value, context);
    else if (entry.key.startsWith('Exec'))
      context.note(
        entry.key,
        'tend runs one command per program: fold it into the command (sh -c "pre && exec main") or a program of its own',
      );
    else if (!unknown.includes(entry.key)) unknown.push(entry.key);
  }
  // systemd's defaults: Restart=no, and a system unit runs in / (tend would use the config's directory).
  context.program.restart ??= 'never';
  context.program.cwd ??= '/';
  importEnvironment(context);
  importSteps(context);
  importExitStatus(context);
  if (context.program.watchdog !== undefined && context.program.ready !== 'notify')
    context.note('WatchdogSec', "tend's watchdog needs Type=notify (ready: notify)");
  const logs = context.program.logs;
  const stderr = getValue(context.unit, 'Service', 'StandardError') ?? 'inherit';
  if (logs?.out && stderr === 'inherit') logs.merge = true;
  return unknown;
}
