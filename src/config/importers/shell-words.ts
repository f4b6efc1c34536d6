// Splits a command line into words the way POSIX shlex does (supervisord's `command`, pm2's `args`):
// whitespace separates, '…' is literal, "…" honours \" \\ \$ \`, a backslash outside quotes escapes.

export class UnclosedQuoteError extends Error {
  constructor(quote: string) {
    super(`unclosed ${quote} quote`);
  }
}

const DOUBLE_QUOTE_ESCAPES = new Set(['"', '\\', '$', '`', '\n']);

export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    if (/\s/.test(char)) {
      if (word !== null) words.push(word);
      word = null;
      index += 1;
    } else if (char === "'") {
      const end = text.indexOf("'", index + 1);
      if (end === -1) throw new UnclosedQuoteError('single');
      word = (word ?? '') + text.slice(index + 1, end);
      index = end + 1;
    } else if (char === '"') {
      const [content, end] = readDoubleQuoted(text, index + 1);
      word = (word ?? '') + content;
      index = end + 1;
    } else if (char === '\\' && index + 1 < text.length) {
      word = (word ?? '') + text[index + 1];
      index += 2;
    } else {
      word = (word ?? '') + char;
      index += 1;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

function readDoubleQuoted(text: string, start: number): [string, number] {
  let content = '';
  for (let index = start; index < text.length; index += 1) {
    const char = text[index] as string;
    if (char === '"') return [content, index];
    const next = text[index + 1];
    if (char === '\\' && next !== undefined && DOUBLE_QUOTE_ESCAPES.has(next)) {
      content += next;
      index += 1;
    } else {
      content += char;
    }
  }
  throw new UnclosedQuoteError('double');
}
