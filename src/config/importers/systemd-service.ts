import { normalizeSignal } from '../../signals.js';
import { escapeDollars, formatMs, formatSignal } from './format.js';
import { importExecStart } from './systemd-exec.js';
import { getValue, getValues, getWords, type Unit } from './systemd-unit.js';
import { parseTimeSpan, splitUnitWords } from './systemd-values.js';
import type { TendYamlLogs, TendYamlProgram } from './types.js';

// One [Service] as a tend program: each key users write has a handler; any other key is noted.

export interface ServiceContext {
  unit: Unit;
  program: TendYamlProgram;
  note(option: string, reason: string): void;
}

type Handler = (value: string, context: ServiceContext) => void;

/** systemd's on-failure treats these deaths as clean; tend restarts after any death by signal. */
const CLEAN_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE'];
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

function importEnvironment(context: ServiceContext): void {
  const env: Record<string, string> = {};
  const split = { unit: context.unit.name, variables: false, unknownSpecifiers: new Set<string>() };
  for (const value of getValues(context.unit, 'Service', 'Environment')) {
    for (const word of splitUnitWords(value, split)) {
      const text = word.map((part) => ('text' in part ? part.text : '\0')).join('');
      const [name = '', ...rest] = text.split('=');
      // tend sets TEND_INSTANCE itself; it is what tend's own export writes as %i.
      if (name === 'TEND_INSTANCE' && rest.join('=') === '\0') continue;
      if (text.includes('\0'))
        context.note(
          'Environment',
          `${name}: a specifier (%i, %h) in a value has no tend equivalent; left out`,
        );
      else if (rest.length > 0) env[name] = escapeDollars(rest.join('='));
    }
  }
  if (Object.keys(env).length > 0) context.program.env = env;
  const files = getValues(context.unit, 'Service', 'EnvironmentFile');
  if (files.some((file) => file.startsWith('-')))
    context.note('EnvironmentFile', 'a "-" file is optional to systemd; tend refuses to start without it');
  const paths = files.map((file) => file.replace(/^-/, ''));
  if (paths.length > 0) context.program.envFile = paths.length === 1 ? (paths[0] as string) : paths;
  if (paths.length > 0 && Object.keys(env).length > 0)
    context.note(
      'EnvironmentFile',
      "systemd let the file override Environment=; tend's env overrides envFile",
    );
}

function importExitStatus(context: ServiceContext): void {
  const { unit, program, note } = context;
  const success = getWords(unit, 'Service', 'SuccessExitStatus');
  const force = getWords(unit, 'Service', 'RestartForceExitStatus');
  const codes = success.filter((word) => /^\d+$/.test(word)).map(Number);
  const forcesZero = force.includes('0');
  if (codes.length > 0 || forcesZero)
    program.successExitCodes = [...new Set([...(forcesZero ? [] : [0]), ...codes])];
  const signals = success.filter((word) => !/^\d+$/.test(word));
  if (signals.length > 0)
    note('SuccessExitStatus', `${signals.join(' ')}: tend counts a death by signal as a failure`);
  const forced = force.filter(
    (word) => word !== '0' && !CLEAN_SIGNALS.includes(normalizeSignal(word) ?? word),
  );
  if (forced.length > 0)
    note(
      'RestartForceExitStatus',
      `${forced.join(' ')}: tend restarts on-failure after any status not in successExitCodes`,
    );
  const cleanForced = CLEAN_SIGNALS.every((signal) => force.some((word) => normalizeSignal(word) === signal));
  if (program.restart === 'on-failure' && !cleanForced)
    note(
      'Restart',
      'on-failure: systemd did not restart after a death by SIGHUP, SIGINT, SIGTERM or SIGPIPE; tend does',
    );
}

function importSteps(context: ServiceContext): void {
  const { unit, program } = context;
  const steps = Number(getValue(unit, 'Service', 'RestartSteps') ?? 0);
  const max = parseTimeSpan(getValue(unit, 'Service', 'RestartMaxDelaySec') ?? '');
  const initial = parseTimeSpan(getValue(unit, 'Service', 'RestartSec') ?? '100ms') ?? 100;
  if (!(steps > 0) || max === undefined || !Number.isFinite(max) || max <= initial || initial <= 0) return;
  const multiplier = Math.round((max / initial) ** (1 / steps) * 100) / 100;
  program.backoff = { ...program.backoff, initial: formatMs(initial), multiplier, max: formatMs(max) };
}

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
