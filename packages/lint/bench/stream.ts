import { readFileSync } from 'node:fs';
import { type Document, parseAllDocuments } from 'yaml';
import { yamlFiles } from '../test/support/seeds.js';

/**
 * A `helm template`-like stream built from real manifests: their Kubernetes documents one after the other, each with
 * a `# Source:` comment, names made unique, until `objects` documents or `bytes` characters.
 */
export function buildStream(folders: readonly string[], limit: { objects?: number; bytes?: number }): string {
  const documents: string[] = [];
  for (const path of folders.flatMap((f) => yamlFiles(f))) {
    const text = readFileSync(path, 'utf8');
    for (const doc of parseAllDocuments(text, { logLevel: 'error' }) as Document[]) {
      if (doc.errors.length > 0) continue;
      const value = doc.toJS() as { apiVersion?: unknown; kind?: unknown } | null;
      if (typeof value?.apiVersion !== 'string' || typeof value.kind !== 'string') continue;
      const source = text.slice(doc.range![0], doc.range![2]).replace(/^---.*\n/, '');
      if (source.includes('{{')) continue;
      documents.push(source);
    }
  }
  if (documents.length === 0) throw new Error(`no Kubernetes documents under ${folders.join(', ')}`);
  const out: string[] = [];
  let size = 0;
  for (
    let i = 0;
    (limit.objects === undefined || i < limit.objects) && (limit.bytes === undefined || size < limit.bytes);
    i++
  ) {
    const source = documents[i % documents.length]!;
    // A plain `  name: x` (the object's own name) gets the copy's number.
    const renamed = source.replace(/^( {2}name: )([A-Za-z0-9][-A-Za-z0-9.]*)$/m, `$1$2-${i}`);
    const part = `---\n# Source: chart/templates/${i % documents.length}.yaml\n${renamed.endsWith('\n') ? renamed : `${renamed}\n`}`;
    out.push(part);
    size += part.length;
  }
  return out.join('');
}
