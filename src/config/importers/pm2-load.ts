import { createRequire } from 'node:module';
import { extname, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { ConfigError } from '../../errors.js';

// Reads a pm2 ecosystem file: JavaScript (`module.exports = { apps: [...] }`) is loaded the way pm2
// loads it, with require; JSON is parsed, and like pm2 accepts a JavaScript object literal too.

const MODULE_EXTENSIONS = new Set(['.js', '.cjs', '.mjs']);
const EVALUATE_TIMEOUT_MS = 1000;

export type Pm2App = Record<string, unknown>;

export interface Pm2Ecosystem {
  apps: Pm2App[];
  deploy: Record<string, unknown> | null;
}

export function loadPm2Ecosystem(text: string, path: string): Pm2Ecosystem {
  const value = MODULE_EXTENSIONS.has(extname(path)) ? requireModule(path) : parseJson(text, path);
  const root = isObject(value) && 'default' in value && !('apps' in value) ? value.default : value;
  const list = Array.isArray(root) ? root : isObject(root) && 'apps' in root ? root.apps : root;
  const apps = Array.isArray(list) ? list : isObject(list) && 'script' in list ? [list] : null;
  if (!apps) throw new ConfigError(`${path}: no apps found; expected module.exports = { apps: [...] }`);
  apps.forEach((app, index) => {
    if (!isObject(app)) throw new ConfigError(`${path}: apps[${index}] is not an object`);
  });
  const deploy = isObject(root) && isObject(root.deploy) ? root.deploy : null;
  return { apps: apps as Pm2App[], deploy };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function requireModule(path: string): unknown {
  const absolute = resolve(path);
  const require = createRequire(import.meta.url);
  // A second import in the same process must see the file as it is now.
  delete require.cache[absolute];
  try {
    return require(absolute);
  } catch (error) {
    const line = findLine(error, absolute);
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    const hint = /module is not defined in ES module scope/.test(message)
      ? ' (the package is "type": "module"; rename the file to .cjs, as pm2 asks too)'
      : '';
    throw new ConfigError(`${path}${line ? `:${line}` : ''}: ${message}${hint}`);
  }
}

function findLine(error: unknown, absolute: string): number | undefined {
  const stack = String((error as Error)?.stack ?? '');
  // A SyntaxError's stack starts with "FILE:LINE"; a thrown error names FILE:LINE:COLUMN in a frame.
  const escaped = absolute.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+)`).exec(stack);
  return match ? Number(match[1]) : undefined;
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (jsonError) {
    try {
      return runInNewContext(`(${text}\n)`, {}, { timeout: EVALUATE_TIMEOUT_MS });
    } catch {
      throw createJsonError(jsonError as Error, text, path);
    }
  }
}

function createJsonError(error: Error, text: string, path: string): ConfigError {
  const position = /at position (\d+)/.exec(error.message);
  const message = error.message
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/ \(line \d+ column \d+\)$/, '');
  if (!position) return new ConfigError(`${path}: ${message}`);
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return new ConfigError(`${path}:${line}:${column}: ${message}`);
}
