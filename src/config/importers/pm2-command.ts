import { basename, extname } from 'node:path';
import { escapeDollars } from './format.js';
import { type Note, Pm2ValueError } from './pm2-values.js';
import { splitShellWords, UnclosedQuoteError } from './shell-words.js';

// pm2's `script` + `args` + `interpreter` + `node_args` as one argv, choosing the interpreter by
// extension the way pm2 does (lib/API/interpreter.json).

const INTERPRETER_BY_EXTENSION: Record<string, string> = {
  '.js': 'node',
  '.cjs': 'node',
  '.mjs': 'node',
  '.sh': 'bash',
  '.py': 'python3',
  '.rb': 'ruby',
  '.php': 'php',
  '.pl': 'perl',
  '.coffee': 'coffee',
  '.ls': 'lsc',
  '.ts': 'bun',
  '.tsx': 'bun',
};

const EXTENSION_NOTES: Record<string, string> = {
  '.py': 'pm2 ran .py files with python (python3 when python was missing); using python3',
  '.ts': 'pm2 6 runs .ts files with bun (older versions used ts-node); using bun',
  '.tsx': 'pm2 6 runs .tsx files with bun (older versions used ts-node); using bun',
  '.coffee': 'pm2 bundled coffee; install it where tend can find it',
  '.ls': 'pm2 bundled lsc; install it where tend can find it',
};

export interface Pm2CommandInput {
  script: string;
  args: unknown;
  interpreter: unknown;
  interpreterArgs: unknown;
}

export interface Pm2Command {
  command: string[];
  /** The interpreter's base name, `none` when the script runs by itself. */
  interpreter: string;
}

export function buildPm2Command(input: Pm2CommandInput, note: Note): Pm2Command {
  const extension = extname(input.script);
  let interpreter =
    typeof input.interpreter === 'string' && input.interpreter !== '' ? input.interpreter : undefined;
  if (interpreter === undefined) {
    interpreter = INTERPRETER_BY_EXTENSION[extension] ?? 'none';
    const reason = EXTENSION_NOTES[extension];
    if (reason) note('interpreter', reason);
    if (interpreter === 'none' && extension === '' && input.script.includes('/')) {
      note(
        'interpreter',
        `pm2 runs ${input.script} directly only when it is a binary, otherwise with node; set interpreter: node if it has no #! line`,
      );
    }
  }
  if (/^node@/.test(interpreter)) {
    note('interpreter', `pm2 picked ${interpreter} through nvm; tend runs the node found in PATH`);
    interpreter = 'node';
  }
  const args = toWords(input.args, 'args');
  const interpreterArgs = toWords(input.interpreterArgs, 'node_args');
  if (interpreter === 'none' && interpreterArgs.length > 0) {
    note('node_args', 'ignored because the script runs without an interpreter, as pm2 does');
  }
  const words =
    interpreter === 'none'
      ? [input.script, ...args]
      : [interpreter, ...interpreterArgs, input.script, ...args];
  return { command: words.map(escapeDollars), interpreter: basename(interpreter) };
}

function toWords(value: unknown, option: string): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((word) => String(word));
  if (typeof value === 'number') return [String(value)];
  if (typeof value !== 'string') throw new Pm2ValueError(`${option}: expected a string or a list of strings`);
  try {
    return splitShellWords(value);
  } catch (error) {
    if (error instanceof UnclosedQuoteError) throw new Pm2ValueError(`${option}: ${error.message}`);
    throw error;
  }
}
