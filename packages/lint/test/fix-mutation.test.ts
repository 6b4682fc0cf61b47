import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readYamlValues } from '@zerodrop/core';
import fc from 'fast-check';
import {
  type Document,
  isCollection,
  isMap,
  isScalar,
  type Node,
  Pair,
  parseAllDocuments,
  Scalar,
  visit,
  YAMLMap,
} from 'yaml';
import { defaultSettings } from '../src/config.js';
import { fixInputs } from '../src/fix.js';
import { FIXED_FIELDS, fixedTextProblem } from './support/fix-checks.js';
import { seedManifests } from './support/seeds.js';

/**
 * Valid manifests written every way YAML allows (flow and block, comments, anchors and aliases, merge keys, quoted
 * scalars, many workloads) are fixed twice. The fixed text must parse as strictly as the input, keep every key and
 * every value the fixes do not own, keep comments and anchors, and a second run must change nothing.
 */

const SEEDS = seedManifests().filter(({ text }) =>
  (parseAllDocuments(text) as Document[]).every((d) => d.errors.length === 0),
);

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
        try {
          readYamlValues(text, 'm.yaml');
        } catch {
          return fc.pre(false);
        }
        const first = fix(text);
        const out = first.changed.get('m.yaml') ?? text;
        assert.equal(first.settled, true, 'one run settles');

        const replaced = [...(first.applied.get('m.yaml') ?? [])].some((a) => a.startsWith('prestop-needs-shell'));
        assert.equal(fixedTextProblem(text, out, replaced), undefined, out);

        const second = fix(out);
        assert.equal(second.changed.size, 0, `a second run changed:\n${out}`);
      },
    ),
    { numRuns: 150 },
  );
});
