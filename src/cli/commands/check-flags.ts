import { BadArgumentError } from '../../errors.js';
import { parseDuration } from '../../units.js';

// `tend start --check-http URL --check-level ready -- …`: the common case of `checks:` as flags.
// Each --check-* kind flag (repeatable) makes one check; --check-level/-period/-timeout apply to all.
// The daemon validates the rest (URL, host:port) and names the check in its error.

export const CHECK_OPTIONS = {
  'check-http': { type: 'string', multiple: true },
  'check-tcp': { type: 'string', multiple: true },
  'check-exec': { type: 'string', multiple: true },
  'check-level': { type: 'string' },
  'check-period': { type: 'string' },
  'check-timeout': { type: 'string' },
} as const;

const LEVELS = ['alive', 'ready', 'startup'];

export interface CheckFlagValues {
  'check-http'?: string[];
  'check-tcp'?: string[];
  'check-exec'?: string[];
  'check-level'?: string;
  'check-period'?: string;
  'check-timeout'?: string;
}

export function buildChecks(values: CheckFlagValues): Record<string, unknown>[] {
  const probes = [
    ...(values['check-http'] ?? []).map((url) => ({ http: url })),
    ...(values['check-tcp'] ?? []).map((address) => ({ tcp: address })),
    ...(values['check-exec'] ?? []).map((command) => ({ exec: command })),
  ];
  const common: Record<string, unknown> = {};
  const level = values['check-level'];
  if (level !== undefined) {
    if (!LEVELS.includes(level))
      throw new BadArgumentError(`start: --check-level must be one of ${LEVELS.join(', ')}, got "${level}"`);
    common.level = level;
  }
  for (const [flag, key] of [
    ['check-period', 'period'],
    ['check-timeout', 'timeout'],
  ] as const) {
    const text = values[flag];
    if (text === undefined) continue;
    if (parseDuration(text) === undefined)
      throw new BadArgumentError(`start: --${flag} expects a duration like 500ms, 10s or 2m, got "${text}"`);
    common[key] = text;
  }
  if (probes.length === 0 && Object.keys(common).length > 0)
    throw new BadArgumentError(
      'start: --check-level/--check-period/--check-timeout need a --check-http, --check-tcp or --check-exec',
    );
  return probes.map((probe) => ({ ...probe, ...common }));
}
