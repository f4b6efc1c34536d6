import { Document, isMap, isScalar, visit } from 'yaml';
import type { ImportNote, ImportResult, ImportSource } from './types.js';

// The imported config as tend.yaml text: a header saying where it came from and listing every note,
// lists of plain values in flow style (`command: [node, server.js]`), a blank line between programs.

export const FILE_WIDE = '(all)';

export function formatNote(note: ImportNote): string {
  return `${note.program ?? FILE_WIDE}: ${note.option}: ${note.reason}`;
}

export function renderTendYaml(result: ImportResult, source: ImportSource, inputPath: string): string {
  const doc = new Document(result.config);
  const header = [` tend.yaml imported by \`tend import ${source}\` from ${inputPath}.`];
  if (result.notes.length === 0) {
    header.push(' Every option was carried over.');
  } else {
    header.push(' Not carried over, or carried over approximately — check before `tend up`:');
    header.push(...result.notes.map((note) => `   ${formatNote(note)}`));
  }
  doc.commentBefore = header.join('\n');
  visit(doc, {
    Seq(_key, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  const programs = doc.get('programs');
  if (isMap(programs)) {
    programs.items.forEach((pair, index) => {
      if (index > 0 && isScalar(pair.key)) pair.key.spaceBefore = true;
    });
  }
  if (doc.has('defaults')) {
    const pair = isMap(doc.contents)
      ? doc.contents.items.find((item) => isScalar(item.key) && item.key.value === 'programs')
      : undefined;
    if (pair && isScalar(pair.key)) pair.key.spaceBefore = true;
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
