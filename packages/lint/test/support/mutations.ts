import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';

/**
 * Manifests made wrong in the ways real input is: a value of any type at any place, YAML that plain data cannot write
 * (tags, anchors, aliases, merge keys), text cut and inserted anywhere. Shared by the property tests and the fuzz
 * script, which draw from the same arbitraries.
 */

type Path = (string | number)[];

/** Every place in a value: each map key, each list item, the fields inside them. */
function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : typeof value === 'object' && value !== null
      ? Object.entries(value)
      : [];
  for (const [k, v] of entries) {
    out.push([...at, k]);
    pathsOf(v, [...at, k], out);
  }
  return out;
}

/** An object with these own keys, `__proto__` included. */
export const own = (entries: [string, unknown][]) => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
  return out;
};

/** A deep copy that keeps own keys such as `__proto__` as data (values are shared between runs and paths). */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (typeof value !== 'object' || value === null) return value;
  return own(Object.entries(value).map(([k, v]) => [k, clone(v)])) as T;
}

/** Sets a value at a path as an own property, `__proto__` included. */
function setIn(root: unknown, path: Path, value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]!];
    if (typeof next !== 'object' || next === null) return;
    node = next as Record<string | number, unknown>;
  }
  Object.defineProperty(node, path[path.length - 1]!, {
    value: clone(value),
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** Values that have broken code that trusted manifests, and values of every type. */
export const ANY_VALUE = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      own([['toString', 1]]),
      own([['valueOf', {}]]),
      own([['__proto__', { polluted: true }]]),
      own([['constructor', 'x']]),
      own([
        ['hasOwnProperty', 1],
        ['toJSON', 2],
      ]),
      [[[]]],
      '',
      ' ',
      '8080',
      '25%',
      '150%',
      '-1',
      -1,
      0,
      1.5,
      1e308,
      2 ** 53 + 2,
      'latest',
      'http',
      'sleep 5',
      '/ready',
      ['sh', '-c', 'npm start'],
      { sleep: { seconds: 'x' } },
      { exec: { command: 'sleep 5' } },
      { httpGet: { path: 8080, port: { a: 1 } } },
      { grpc: { port: '9', service: 7 } },
      { matchLabels: [1], matchExpressions: { key: 1 } },
    ),
  },
);

/** YAML that plain data cannot express: tags, anchors, aliases, merge keys, odd scalars. */
export const RAW_YAML = fc.constantFrom(
  '!!binary aGVsbG8=',
  '!!set {a, b}',
  '!!omap [a: 1, b: 2]',
  '!custom {a: 1}',
  '2001-12-14t21:59:43.10-05:00',
  '.inf',
  '.nan',
  '~',
  '0x1F',
  '[a: 1, b]',
  '{? [x]: y}',
  '&shared {k: v}',
  '*shared',
  '*nowhere',
  '{<<: {a: 1}, b: 2}',
  '{<<: [1, 2]}',
  '"{{ .Values.x }}"',
  '{{ cell }}',
  '!!str 123',
  '!!int "12"',
);

/** A text edit: at (any number, taken modulo the length), how many characters to remove, what to insert. */
export const TEXT_CUT = fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 6 }));

/** Real manifests, and the wrong versions of them. */
export class Mutator {
  /** Every yaml document of the texts that parses, as plain data, and its places. */
  readonly documents: unknown[];
  private readonly paths: Path[][];

  constructor(readonly texts: readonly string[]) {
    this.documents = texts
      .flatMap((text) =>
        (parseAllDocuments(text, { logLevel: 'error' }) as { toJS(): unknown; errors: unknown[] }[])
          .filter((d) => d.errors.length === 0)
          .map((d) => d.toJS()),
      )
      .filter((d) => typeof d === 'object' && d !== null);
    this.paths = this.documents.map((d) => pathsOf(d));
  }

  /** A document with each value of `sets` written at one of its places (both picked modulo their counts). */
  withValues(pick: number, sets: readonly (readonly [number, unknown])[]): unknown {
    const index = pick % this.documents.length;
    const object = clone(this.documents[index]);
    const paths = this.paths[index]!;
    for (const [at, value] of sets) if (paths.length) setIn(object, paths[at % paths.length]!, value);
    return object;
  }

  /** A document with YAML snippets in place of some of its values, as text. */
  withRawYaml(pick: number, sets: readonly (readonly [number, string])[]): string {
    // Placeholders written as plain data, replaced by the raw YAML in the text.
    const object = this.withValues(
      pick,
      sets.map(([at], i) => [at, `RAW${i}PLACEHOLDER`] as const),
    );
    return sets.reduce((t, [, snippet], i) => t.replace(`RAW${i}PLACEHOLDER`, snippet), stringify(object));
  }

  /** A whole text with characters cut and inserted. */
  withCuts(pick: number, cuts: readonly (readonly [number, number, string])[]): string {
    let text = this.texts[pick % this.texts.length]!;
    for (const [at, remove, insert] of cuts) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + insert + text.slice(i + remove);
    }
    return text;
  }
}
