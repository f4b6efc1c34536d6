import { Document, isScalar, visit } from 'yaml';
import { formatNote } from '../importers/render.js';
import type { ExportNote } from './types.js';

// YAML documents (compose.yaml, Kubernetes manifests) with a header that lists every note, and
// lists of plain values in flow style.

export function renderYaml(documents: unknown[], header: string, notes: ExportNote[]): string {
  const lines = [` ${header}`];
  if (notes.length > 0) {
    lines.push(' Not carried over, or only approximately:');
    lines.push(...notes.map((note) => `   ${formatNote(note)}`));
  }
  return documents
    .map((data, index) => {
      // YAML 1.1 rules quote no/yes/on/off, which docker-compose (PyYAML) would read as booleans.
      const doc = new Document(data, { version: '1.1', aliasDuplicateObjects: false });
      if (index === 0) doc.commentBefore = lines.join('\n');
      visit(doc, {
        Seq(_key, node) {
          if (node.items.every((item) => isScalar(item)) && node.items.length <= 4) node.flow = true;
        },
      });
      return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
    })
    .join('---\n');
}
