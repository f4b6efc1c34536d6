// Python's `%(name)s` / `%(name)02d` / `%%` string formatting, which supervisord applies to its values.

const FORMAT_PATTERN = /%(?:%|\((\w+)\)([-#0 +]*)(\d*)(?:\.(\d+))?([sdir]))/g;

export class UnknownFormatNameError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`%(${key})s cannot be expanded`);
    this.key = key;
  }
}

/** Expands every `%(name)…` with `lookup(name)`; `undefined` from the lookup is an error. */
export function formatPython(text: string, lookup: (key: string) => string | number | undefined): string {
  return text.replace(
    FORMAT_PATTERN,
    (whole, key: string | undefined, flags: string, width: string, _precision, kind: string) => {
      if (whole === '%%') return '%';
      const value = lookup(key as string);
      if (value === undefined) throw new UnknownFormatNameError(key as string);
      const numeric = kind !== 's' && kind !== 'r' && !Number.isNaN(Number(value));
      const rendered = numeric ? String(Math.trunc(Number(value))) : String(value);
      const size = Number(width || 0);
      if (flags.includes('-')) return rendered.padEnd(size);
      if (flags.includes('0') && numeric) return padNumber(rendered, size);
      return rendered.padStart(size);
    },
  );
}

/** Whether the text refers to `%(key)…` at all. */
export function usesFormatName(text: string, key: string): boolean {
  return [...text.matchAll(FORMAT_PATTERN)].some((match) => match[1] === key);
}

function padNumber(rendered: string, size: number): string {
  const negative = rendered.startsWith('-');
  const digits = negative ? rendered.slice(1) : rendered;
  return (negative ? '-' : '') + digits.padStart(size - (negative ? 1 : 0), '0');
}
