import { readYamlValues } from '@zerodrop/core';
import { type Document, Lexer, parseAllDocuments } from 'yaml';

/**
 * What a fixed file must satisfy, checked independently of the fix's own safeguards: it parses as strictly as the
 * input (no new duplicate key, no error), keeps every key and every value the fixes do not own, keeps comments and
 * anchors. Used by the fix tests and by the fuzz script.
 */

/** Fields the fixes write; anything else must come out as it went in. */
export const FIXED_FIELDS = new Set([
  'preStop',
  'terminationGracePeriodSeconds',
  'maxUnavailable',
  'maxSurge',
  'failureThreshold',
  'startupProbe',
  'requestPath',
  'alb.ingress.kubernetes.io/healthcheck-path',
  'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path',
]);

export function strictErrors(text: string): { duplicates: number; other: string[] } {
  const errors = (parseAllDocuments(text, { uniqueKeys: true }) as Document[]).flatMap((d) => d.errors);
  return {
    duplicates: errors.filter((e) => e.code === 'DUPLICATE_KEY').length,
    other: errors.filter((e) => e.code !== 'DUPLICATE_KEY').map((e) => e.message),
  };
}

/** Every leaf of plain data, with its path (merge keys and aliases resolved). */
function leaves(value: unknown, at: string[] = [], out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null) {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) out.set(JSON.stringify(at), Array.isArray(value) ? '[]' : '{}');
    for (const [k, v] of entries) leaves(v, [...at, k], out);
  } else out.set(JSON.stringify(at), value);
  return out;
}

/** `["a","b"]` → the paths `[]`, `["a"]`, `["a","b"]`, as JSON. */
function prefixes(path: string[]): string[] {
  return path.map((_, i) => JSON.stringify(path.slice(0, i + 1))).concat(JSON.stringify([]));
}

/** Comments and anchors as the lexer finds them. */
function marks(text: string): string[] {
  return [...new Lexer().lex(text)].filter((t) => t[0] === '#' || t[0] === '&').map((t) => t.trimEnd());
}

/**
 * Why `after` is not an acceptable fix of `before`, or undefined. `replacedHooks`: a fix replaced a preStop hook
 * whole, so comments inside it may go.
 */
export function fixedTextProblem(before: string, after: string, replacedHooks = false): string | undefined {
  const strictBefore = strictErrors(before);
  const strictAfter = strictErrors(after);
  if (strictAfter.other.length > 0) return `does not parse: ${strictAfter.other[0]}`;
  if (strictAfter.duplicates > strictBefore.duplicates) return 'has a duplicate key the input did not have';
  const old = readYamlValues(before, 'before.yaml');
  const now = readYamlValues(after, 'after.yaml');
  if (now.length < old.length) return 'lost a document';
  for (let i = 0; i < old.length; i++) {
    const kept = leaves(now[i]);
    const written = new Set([...kept.keys()].flatMap((p) => prefixes(JSON.parse(p) as string[])));
    for (const [path, value] of leaves(old[i])) {
      if ((JSON.parse(path) as string[]).some((s) => FIXED_FIELDS.has(s))) continue;
      // An empty map or list, or a key left empty, may gain keys; it must not go away.
      if (value === '{}' || value === '[]' || value === null) {
        if (!written.has(path)) return `document ${i}: lost ${path}`;
        continue;
      }
      if (!kept.has(path)) return `document ${i}: lost ${path}`;
      if (JSON.stringify(kept.get(path)) !== JSON.stringify(value)) return `document ${i}: changed ${path}`;
    }
  }
  if (!replacedHooks) {
    const left = marks(after);
    for (const mark of marks(before)) {
      const at = left.indexOf(mark);
      if (at === -1) return `lost ${mark}`;
      left.splice(at, 1);
    }
  }
  return undefined;
}
