import { renameSync, writeFileSync } from 'node:fs';

// Run logs and state dumps are written whole or not at all (a temporary file renamed over the
// target), mode 0600 because a state dump may hold anything the daemon knows.

/**
 * Writes `value` as indented JSON to `path` atomically; values JSON cannot hold (bigint, cycles,
 * functions, errors) are written as readable text instead of failing the dump.
 *
 * @example
 * writeJsonFile('/tmp/news.state.json', { cache: new Map([['a', 1]]) });
 */
export function writeJsonFile(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${toJson(value)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export function toJson(value: unknown): string {
  // The objects being serialized from the root down to here (MDN's cycle check): a value that is
  // its own ancestor is a cycle; the same object reached twice along different paths is not.
  const holders: unknown[] = [];
  const originals: unknown[] = [];
  return JSON.stringify(
    value,
    function replace(this: unknown, _key, item: unknown) {
      if (typeof item === 'bigint') return item.toString();
      if (typeof item === 'function') return `[function ${item.name || 'anonymous'}]`;
      if (typeof item === 'symbol') return item.toString();
      if (typeof item !== 'object' || item === null) return item;
      while (holders.length > 0 && holders.at(-1) !== this) {
        holders.pop();
        originals.pop();
      }
      if (originals.includes(item)) return '[circular]';
      const converted = convertObject(item);
      holders.push(converted);
      originals.push(item);
      return converted;
    },
    2,
  );
}

function convertObject(item: object): unknown {
  if (item instanceof Error) return { name: item.name, message: item.message, stack: item.stack };
  if (item instanceof Map) return Object.fromEntries(item);
  if (item instanceof Set) return [...item];
  return item;
}
