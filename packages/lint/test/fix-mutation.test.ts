import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readYamlValues } from '@zerodrop/core';
import fc from 'fast-check';
import {
  type Document,
  isCollection,
  isMap,
  isScalar,
  Lexer,
  type Node,
  Pair,
  parseAllDocuments,
  Scalar,
  visit,
  YAMLMap,
} from 'yaml';
import { defaultSettings } from '../src/config.js';
import { fixInputs } from '../src/fix.js';
import { seedManifests } from './support/seeds.js';

/**
 * Valid manifests written every way YAML allows (flow and block, comments, anchors and aliases, merge keys, quoted
 * scalars, many workloads) are fixed twice. The fixed text must parse as strictly as the input, keep every key and
 * every value the fixes do not own, keep comments and anchors, and a second run must change nothing.
 */

const SEEDS = seedManifests().filter(({ text }) =>
  (parseAllDocuments(text) as Document[]).every((d) => d.errors.length === 0),
);

/** Fields the fixes write; anything else must come out as it went in. */
const FIXED_FIELDS = new Set([
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

function collections(doc: Document): Node[] {
  const out: Node[] = [];
  visit(doc, {
    Map: (_k, node) => {
      out.push(node);
    },
    Seq: (_k, node) => {
      out.push(node);
    },
  });
  return out;
}

function scalars(doc: Document): Scalar[] {
  const out: Scalar[] = [];
  visit(doc, {
    Scalar: (_k, node) => {
      out.push(node);
    },
  });
  return out;
}

type Mutation = (docs: Document[], n: number) => void;

const pickDoc = (docs: Document[], n: number) => docs[n % docs.length]!;

const MUTATIONS: Mutation[] = [
  // Flow maps and lists become block ones and back.
  (docs, n) => {
    const nodes = collections(pickDoc(docs, n));
    const node = nodes[(n >> 3) % Math.max(1, nodes.length)] as { flow?: boolean } | undefined;
    if (node) node.flow = !node.flow;
  },
  // Comments before and after values.
  (docs, n) => {
    const nodes = [...collections(pickDoc(docs, n)), ...scalars(pickDoc(docs, n))];
    const node = nodes[(n >> 3) % Math.max(1, nodes.length)];
    if (!node || (isCollection(node) && node.flow)) return;
    if (n % 2) node.commentBefore = ` note ${n}`;
    else if (isScalar(node)) node.comment = ` after ${n}`;
  },
  // One probe written once and used twice: `readinessProbe: &probe`, `livenessProbe: *probe`.
  (docs, n) => {
    const doc = pickDoc(docs, n);
    visit(doc, {
      Map: (_k, node) => {
        const ready = node.get('readinessProbe', true) as Node | undefined;
        if (!ready || !isMap(ready) || !node.has('name')) return undefined;
        ready.anchor = `probe${n}`;
        node.set('livenessProbe', doc.createAlias(ready as YAMLMap));
        return visit.BREAK;
      },
    });
  },
  // Part of a map merged in with `<<`.
  (docs, n) => {
    const nodes = collections(pickDoc(docs, n)).filter((c) => isMap(c) && !c.flow && c.items.length >= 2);
    const map = nodes[(n >> 3) % Math.max(1, nodes.length)] as YAMLMap | undefined;
    if (!map) return;
    const first = map.items[0]!;
    if (isScalar(first.key) && first.key.value === '<<') return;
    const merged = new YAMLMap();
    merged.items.push(first);
    map.items[0] = new Pair(new Scalar('<<'), merged);
  },
  // A field the fixes write is dropped (so a fix adds it back in its own way).
  (docs, n) => {
    visit(pickDoc(docs, n), {
      Pair: (_k, pair) => {
        if (isScalar(pair.key) && FIXED_FIELDS.has(String(pair.key.value)) && n % 3 !== 0) return visit.REMOVE;
        return undefined;
      },
    });
  },
  // Numbers change (replicas, seconds, thresholds).
  (docs, n) => {
    const numbers = scalars(pickDoc(docs, n)).filter((s) => typeof s.value === 'number');
    const scalar = numbers[(n >> 3) % Math.max(1, numbers.length)];
    if (scalar) scalar.value = n % 7;
  },
  // Strings written in quotes.
  (docs, n) => {
    const strings = scalars(pickDoc(docs, n)).filter((s) => typeof s.value === 'string');
    const scalar = strings[(n >> 3) % Math.max(1, strings.length)];
    if (scalar) scalar.type = n % 2 ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE;
  },
];

function render(docs: Document[]): string {
  return docs.map((d) => d.toString({ lineWidth: 0 })).join('---\n');
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

function marks(text: string): string[] {
  return [...new Lexer().lex(text)].filter((t) => t[0] === '#' || t[0] === '&').map((t) => t.trimEnd());
}

function strictErrors(text: string): { duplicates: number; other: string[] } {
  const errors = (parseAllDocuments(text, { uniqueKeys: true }) as Document[]).flatMap((d) => d.errors);
  return {
    duplicates: errors.filter((e) => e.code === 'DUPLICATE_KEY').length,
    other: errors.filter((e) => e.code !== 'DUPLICATE_KEY').map((e) => e.message),
  };
}

function fix(text: string) {
  return fixInputs([{ file: 'm.yaml', kind: 'manifest', text }], defaultSettings());
}

test('mutated but valid real manifests, fixed twice: strict parse, nothing lost, idempotent', () => {
  fc.assert(
    fc.property(
      fc.nat(),
      fc.array(fc.tuple(fc.nat({ max: MUTATIONS.length - 1 }), fc.nat()), { maxLength: 6 }),
      (pick, steps) => {
        const docs = parseAllDocuments(SEEDS[pick % SEEDS.length]!.text) as Document[];
        for (const [which, n] of steps) MUTATIONS[which]!(docs, n);
        const text = render(docs);
        fc.pre((parseAllDocuments(text) as Document[]).every((d) => d.errors.length === 0));
        let before: unknown[];
        try {
          before = readYamlValues(text, 'm.yaml');
        } catch {
          return fc.pre(false);
        }
        const first = fix(text);
        const out = first.changed.get('m.yaml') ?? text;
        assert.equal(first.settled, true, 'one run settles');

        const strictBefore = strictErrors(text);
        const strictAfter = strictErrors(out);
        assert.deepEqual(strictAfter.other, [], out);
        assert.ok(strictAfter.duplicates <= strictBefore.duplicates, out);

        const after = readYamlValues(out, 'm.yaml');
        assert.ok(after.length >= before.length);
        before.forEach((doc, i) => {
          const now = leaves(after[i]);
          const written = new Set([...now.keys()].flatMap((p) => prefixes(JSON.parse(p) as string[])));
          for (const [path, value] of leaves(doc)) {
            const steps = JSON.parse(path) as string[];
            if (steps.some((s) => FIXED_FIELDS.has(s))) continue;
            // An empty map or list may gain keys; it must not go away.
            if (value === '{}' || value === '[]') {
              assert.ok(written.has(path), `document ${i}: ${path} lost\n${out}`);
              continue;
            }
            assert.ok(now.has(path), `document ${i}: ${path} lost\n${out}`);
            assert.deepEqual(now.get(path), value, `document ${i}: ${path} changed\n${out}`);
          }
        });

        const replaced = [...(first.applied.get('m.yaml') ?? [])].some((a) => a.startsWith('prestop-needs-shell'));
        if (!replaced) {
          const kept = marks(out);
          for (const mark of marks(text)) {
            const at = kept.indexOf(mark);
            assert.ok(at !== -1, `${mark} lost\n${out}`);
            kept.splice(at, 1);
          }
        }

        const second = fix(out);
        assert.equal(second.changed.size, 0, `a second run changed:\n${out}`);
      },
    ),
    { numRuns: 150 },
  );
});
