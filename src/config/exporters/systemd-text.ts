// systemd's unit file syntax: quoting for ExecStart= and Environment=, time spans, and rendering.

const PLAIN_WORD = /^[A-Za-z0-9_./:=@+,-]+$/;

function escapeQuoted(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/** `%` is a specifier (`%i`) everywhere in a unit file: a literal one is `%%`. */
export function escapeSpecifiers(text: string): string {
  return text.replace(/%/g, '%%');
}

/**
 * One ExecStart= word: systemd expands `$VAR` and `%x` there, so literal ones are doubled, and
 * unquotes and unescapes words like C. `specifiers` keeps `%i` (tend's own wrapper scripts).
 */
export function quoteExecWord(word: string, options: { specifiers?: boolean } = {}): string {
  let text = word.replace(/\$/g, '$$$$');
  if (!options.specifiers) text = escapeSpecifiers(text);
  return PLAIN_WORD.test(text) ? text : `"${escapeQuoted(text)}"`;
}

/** `Environment="NAME=value"`: quotes and C escapes, specifiers, but no `$` expansion. */
export function quoteAssignment(name: string, value: string): string {
  return `"${escapeQuoted(escapeSpecifiers(`${name}=${value}`))}"`;
}

/** 10000 → `10s`, 250 → `250ms`: systemd reads both. */
export function formatSpan(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}

export type UnitLine = readonly [key: string, value: string] | string;

export interface UnitSections {
  comments: string[];
  sections: [name: string, lines: UnitLine[]][];
}

export function renderUnit(unit: UnitSections): string {
  const out = unit.comments.map((line) => (line === '' ? '#' : `# ${line}`));
  for (const [name, lines] of unit.sections) {
    if (lines.length === 0) continue;
    if (out.length > 0) out.push('');
    out.push(`[${name}]`);
    for (const line of lines) out.push(typeof line === 'string' ? `# ${line}` : `${line[0]}=${line[1]}`);
  }
  return `${out.join('\n')}\n`;
}
