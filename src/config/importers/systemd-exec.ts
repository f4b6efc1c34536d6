import { escapeDollars } from './format.js';
import { getPlainWord, type SplitContext, splitUnitWords, toShellCommand } from './systemd-values.js';

// ExecStart= as a tend command: an argv list when nothing is expanded at run time, else a /bin/sh
// command that expands the same variables; `/bin/sh -c SCRIPT` stays the script (and tend's own
// export wrapper, which adds %i to offset variables, becomes offsetEnv again).

export interface ImportedCommand {
  command: string | string[];
  offsetEnv: string[];
  /** Prefixes such as `-` or `+`, each with what it meant. */
  prefixes: string[];
  unknownSpecifiers: string[];
  /** The command expands variables at run time (through /bin/sh). */
  expands: boolean;
}

const PREFIXES: Record<string, string> = {
  '-': 'a failing exit status was ignored',
  '@': 'the second word was passed as argv[0]',
  ':': 'variables were not expanded',
  '+': 'it ran with full privileges',
  '!': 'it ran with full privileges except the user switch',
};
const OFFSET = /^([A-Za-z_][A-Za-z0-9_]*)=\$\(\(\1 \+ \$\{TEND_INSTANCE\}\)\); export \1; /;
const SHELL = /^\/(usr\/)?bin\/(sh|bash|dash)$/;

function stripOffsets(script: string, offsetEnv: string[]): string {
  let rest = script;
  for (let match = OFFSET.exec(rest); match; match = OFFSET.exec(rest)) {
    offsetEnv.push(match[1] as string);
    rest = rest.slice(match[0].length);
  }
  return rest;
}

export function importExecStart(value: string, unit: string): ImportedCommand {
  let text = value;
  const prefixes: string[] = [];
  while (/^[-@:+!]/.test(text)) {
    const prefix = text[0] as string;
    prefixes.push(`${prefix}: ${PREFIXES[prefix]}`);
    text = text.slice(text.startsWith('!!') ? 2 : 1);
  }
  const context: SplitContext = {
    unit,
    variables: !prefixes.some((p) => p.startsWith(':')),
    unknownSpecifiers: new Set(),
  };
  const words = splitUnitWords(text, context);
  const plain = words.map(getPlainWord);
  const offsetEnv: string[] = [];
  const result = (command: string | string[], expands: boolean): ImportedCommand => ({
    command,
    offsetEnv,
    prefixes,
    unknownSpecifiers: [...context.unknownSpecifiers],
    expands,
  });
  // `/bin/sh -c SCRIPT`: %i in SCRIPT became ${TEND_INSTANCE}; the script is tend's command string.
  const [shell, flag, script, ...rest] = words;
  if (
    shell &&
    SHELL.test(getPlainWord(shell) ?? '') &&
    getPlainWord(flag ?? []) === '-c' &&
    script &&
    rest.length === 0
  ) {
    const body = script.map((part) => ('text' in part ? part.text : `\${${part.variable}}`)).join('');
    const command = stripOffsets(body, offsetEnv).replace(/^exec (?=\S)/, '');
    return result(escapeDollars(command), command.includes('$'));
  }
  if (plain.every((word) => word !== null)) return result((plain as string[]).map(escapeDollars), false);
  return result(escapeDollars(toShellCommand(words)), true);
}
