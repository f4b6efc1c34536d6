import { normalizeSignal } from '../../signals.js';
import { escapeDollars, formatMs } from './format.js';
import type { ServiceContext } from './systemd-service.js';
import { getValue, getValues, getWords } from './systemd-unit.js';
import { parseTimeSpan, splitUnitWords } from './systemd-values.js';

// The [Service] keys that mean something only together, read as a whole once the per-key handlers
// (systemd-service.ts) ran: Environment= with EnvironmentFile=, SuccessExitStatus= with
// RestartForceExitStatus= and Restart=, RestartSteps= with RestartMaxDelaySec= and RestartSec=.

/** systemd's on-failure treats these deaths as clean; tend restarts after any death by signal. */
const CLEAN_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE'];

export function importEnvironment(context: ServiceContext): void {
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

export function importExitStatus(context: ServiceContext): void {
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

export function importSteps(context: ServiceContext): void {
  const { unit, program } = context;
  const steps = Number(getValue(unit, 'Service', 'RestartSteps') ?? 0);
  const max = parseTimeSpan(getValue(unit, 'Service', 'RestartMaxDelaySec') ?? '');
  const initial = parseTimeSpan(getValue(unit, 'Service', 'RestartSec') ?? '100ms') ?? 100;
  if (!(steps > 0) || max === undefined || !Number.isFinite(max) || max <= initial || initial <= 0) return;
  const multiplier = Math.round((max / initial) ** (1 / steps) * 100) / 100;
  program.backoff = { ...program.backoff, initial: formatMs(initial), multiplier, max: formatMs(max) };
}
