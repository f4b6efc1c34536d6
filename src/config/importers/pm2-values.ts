import { parseDuration } from '../../units.js';
import { escapeDollars } from './format.js';
import { isObject } from './pm2-load.js';

// Shared by the pm2 mappers: how an option is read, noted, and turned into tend.yaml values.

/** A pm2 value tend cannot use; the importer adds the file and app to the message. */
export class Pm2ValueError extends Error {}

export type Note = (option: string, reason: string) => void;

/** Reads an option under any of its pm2 aliases and marks them all as handled. */
export type Take = (...keys: string[]) => unknown;

export function toPath(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') throw new Pm2ValueError(`${option}: expected a path`);
  const escaped = escapeDollars(value);
  return escaped === '~' || escaped.startsWith('~/') ? `\${HOME}${escaped.slice(1)}` : escaped;
}

export function toMs(value: unknown, option: string): number {
  const ms = typeof value === 'number' || typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined)
    throw new Pm2ValueError(
      `${option}: expected milliseconds or a duration like 10s, got ${JSON.stringify(value)}`,
    );
  return ms;
}

// pm2 passes objects as JSON, everything else as text.
export function toEnv(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const env: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    env[key] = escapeDollars(typeof item === 'object' ? JSON.stringify(item) : String(item));
  }
  return env;
}
