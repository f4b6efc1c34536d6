// How a `command:` string runs: through /bin/sh -c, exec'd where that keeps the program the main process.

/**
 * A simple command is exec'd by the shell, so the program itself is the main process: it gets the
 * stop signal, `tend signal` and readiness, and its exit status is the one recorded (dash, Debian's
 * /bin/sh, does not exec the last command by itself). A list (`;`, `&&`, `|`, `&`), a subshell, a
 * compound command or a leading `VAR=value` stays as written: the shell is then the main process.
 */
export function getShellScript(command: string): string {
  const trimmed = command.trim();
  if (/[;&|\n()`{}]/.test(trimmed) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(trimmed)) return command;
  const first = trimmed.split(/\s/, 1)[0] ?? '';
  if (SHELL_WORDS.has(first)) return command;
  return `exec ${trimmed}`;
}

/** Keywords and special builtins: they are not programs, so `exec` cannot run them. */
const SHELL_WORDS = new Set(
  [
    '! . : alias bg break case cd command continue eval exec exit export fg for function getopts hash',
    'if jobs kill local read readonly return select set shift source time times trap type ulimit',
    'umask unalias unset until wait while',
  ]
    .join(' ')
    .split(' '),
);
