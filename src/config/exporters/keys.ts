import type { ExportConfig, ExportProgram } from './programs.js';
import type { KeyMapper, NoteSink } from './types.js';

// The tend.yaml keys every exporter maps. Each exporter has one table with a cell per key (the
// compiler asks for every cell), so each key maps in one place per target; a key the file writes
// that is not in the list yet (a newer tend.yaml key) is noted rather than silently dropped.

export const EXPORT_KEYS = [
  'command',
  'cwd',
  'instances',
  'offsetEnv',
  'env',
  'envFile',
  'dependsOn',
  'autostart',
  'restart',
  'onExit',
  'successExitCodes',
  'restartDelay',
  'backoff',
  'giveUp',
  'startSecs',
  'ready',
  'readyFd',
  'startTimeout',
  'watchdog',
  'stopSignal',
  'reloadSignal',
  'pidFile',
  'stopTimeout',
  'user',
  'group',
  'umask',
  'logs',
  'checks',
  'sockets',
  'limits',
] as const;

export type ExportKey = (typeof EXPORT_KEYS)[number];
export type KeyMappings<T> = Record<ExportKey, KeyMapper<T>>;

const KNOWN = new Set<string>(EXPORT_KEYS);

export function applyKeyMappings<T extends NoteSink>(
  mappings: KeyMappings<T>,
  program: ExportProgram,
  out: T,
  config: ExportConfig,
): void {
  for (const key of EXPORT_KEYS) mappings[key](program, out, config);
  for (const key of program.written) {
    if (!key.includes('.') && !KNOWN.has(key))
      out.note(key, 'tend export does not map this key yet; it is left out');
  }
}

/** onExit has no per-program equivalent in the exported engines: a note when it is not the default. */
export function noteOnExit(engine: string): KeyMapper<NoteSink> {
  return (program, out) => {
    const { onExit } = program.spec;
    if (onExit === 'shutdown')
      out.note(
        'onExit',
        `${engine} cannot stop the other programs when this one ends: tend's daemon does (onExit: shutdown)`,
      );
    // onExit: ignore is exported as restart: never (see programs.ts): nothing is lost.
  };
}

/** Nothing to write: the key's effect is part of another cell (named in `why`, for the reader). */
export function mappedElsewhere(_why: string): KeyMapper<unknown> {
  return () => {};
}
