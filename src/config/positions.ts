import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Locate, Path, Position, Problem } from './problems.js';

// Parses YAML (and JSON, which is YAML) keeping the line and column of every key and value, so a
// problem found later in the plain data can point at the text that caused it.

export interface ParsedYaml {
  data: unknown;
  locate: Locate;
  /** Syntax errors, each with its position; when there are any, `data` is not to be trusted. */
  problems: Problem[];
}

interface Entry {
  key?: Position;
  value: Position;
}

const toKey = (path: Path): string => JSON.stringify(path);

function collectPositions(
  node: unknown,
  path: Path,
  entries: Map<string, Entry>,
  toPosition: (offset: number) => Position,
) {
  if (isMap(node)) {
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const name = String(keyNode && 'value' in keyNode ? keyNode.value : keyNode);
      const childPath = [...path, name];
      const key = keyNode?.range ? toPosition(keyNode.range[0]) : undefined;
      const valueNode = pair.value as Node | null;
      const value = valueNode?.range ? toPosition(valueNode.range[0]) : key;
      if (value) entries.set(toKey(childPath), { key, value });
      collectPositions(valueNode, childPath, entries, toPosition);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const range = (item as Node | null)?.range;
      if (range) entries.set(toKey([...path, index]), { value: toPosition(range[0]) });
      collectPositions(item, [...path, index], entries, toPosition);
    });
  }
}

// The parser's message without its "at line 3, column 5:" and code frame (the caller prints positions).
function getFirstLine(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/; please use YAML\.parseAllDocuments\(\)$/, '');
}

export function parseYamlWithPositions(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  const toPosition = (offset: number): Position => lineCounter.linePos(offset);
  const problems = document.errors.map((error) => ({
    path: [],
    position: error.linePos?.[0] ?? { line: 1, col: 1 },
    message: `YAML syntax error: ${getFirstLine(error.message)}`,
  }));
  const entries = new Map<string, Entry>();
  const root = document.contents as Node | null;
  entries.set(toKey([]), { value: root?.range ? toPosition(root.range[0]) : { line: 1, col: 1 } });
  collectPositions(root, [], entries, toPosition);

  // A path with no entry of its own (a missing key) points at its nearest written ancestor's key.
  const locate: Locate = (path, at) => {
    for (let length = path.length; length >= 0; length--) {
      const entry = entries.get(toKey(path.slice(0, length)));
      if (!entry) continue;
      return (length < path.length || at === 'key') && entry.key ? entry.key : entry.value;
    }
    return undefined;
  };
  if (problems.length > 0) return { data: undefined, locate, problems };
  try {
    return { data: document.toJS(), locate, problems };
  } catch (error) {
    // e.g. too many aliases (a "billion laughs" file)
    const message = `YAML error: ${error instanceof Error ? error.message : String(error)}`;
    return { data: undefined, locate, problems: [{ path: [], position: { line: 1, col: 1 }, message }] };
  }
}
