import {
  Composer,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  Parser,
  parseAllDocuments,
} from 'yaml';
import { describeTemplate, findTemplateMarker } from './templates.js';

/** A path into a parsed object, as used by `doc.getIn`: map keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** 1-based line and column, as editors and CI annotations count them. */
export interface SourcePosition {
  line: number;
  column: number;
}

export type ManifestErrorCode =
  | 'ERR_ZERODROP_YAML_SYNTAX'
  | 'ERR_ZERODROP_HELM_TEMPLATE'
  | 'ERR_ZERODROP_TEMPLATE_PLACEHOLDER'
  | 'ERR_ZERODROP_ALIAS_BOMB'
  | 'ERR_ZERODROP_FILE_TOO_LARGE';

/** Input zerodrop cannot read as manifests. Carries the place and what to do; never a crash. */
export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(
    readonly code: ManifestErrorCode,
    readonly file: string,
    readonly position: SourcePosition,
    message: string,
  ) {
    super(message);
  }

  /** `file:line:col: message`, the form editors and terminals link. */
  override toString(): string {
    return `${this.file}:${this.position.line}:${this.position.column}: ${this.message}`;
  }
}

/**
 * One parsed file: its text, where each yaml document lies in it, and where its lines start. The yaml Documents
 * themselves are not kept: a Document costs tens of times its text in memory, so documents are read one at a time
 * into plain data, and parsed again (`yamlDocumentOf`) only where a fix edits them.
 */
export interface SourceFile {
  file: string;
  /** The text parsed; `''` when it was parsed with `keepText: false` (a run that reports and never fixes). */
  text: string;
  /** The offset in the text where each line starts, in order (4 bytes a line): positions of any offset. */
  readonly lineStarts: Int32Array;
  /** `[start, end)` of each yaml document in `text`, in order; none without the text (`keepText: false`). */
  documentSpans: readonly (readonly [number, number])[];
  /**
   * The offset in `text` of every map key and list item of the file's plain data, in the order positionOf walks
   * it: 4 bytes a field, where an offset kept on every plain object would cost more than the data itself.
   */
  offsets: Int32Array;
}

/** Where each line of a text starts: 0, then the offset after every newline. */
function lineStartsOf(text: string): Int32Array {
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  const starts = new Int32Array(count);
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts[line++] = i + 1;
  return starts;
}

/** The 1-based line and column of an offset, from the starts of the lines. */
function linePosition(lineStarts: Int32Array, offset: number): SourcePosition {
  let low = 0;
  let high = lineStarts.length;
  // The last line that starts at or before the offset.
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (lineStarts[mid]! <= offset) low = mid;
    else high = mid;
  }
  return { line: low + 1, column: offset - lineStarts[low]! + 1 };
}

/** One Kubernetes object found in a file (a `List` contributes one per item). */
export interface ManifestDocument {
  source: SourceFile;
  /** Index of the yaml document in the file (0-based). */
  documentIndex: number;
  /** Where the object sits inside its yaml document: `[]`, or `['items', i]` for a `List` item. */
  basePath: YamlPath;
  /** Offset of the object in the source text. */
  offset: number;
  /** Where the offsets of the object's fields start in `source.offsets`. */
  offsetsStart: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace, or undefined when the manifest leaves it to the context. */
  namespace: string | undefined;
  /** The object as plain data (aliases and `<<` merge keys resolved); the offsets of its fields are kept aside. */
  object: Record<string, unknown>;
}

export interface ParsedManifests {
  source: SourceFile;
  objects: ManifestDocument[];
  /** Documents that are not Kubernetes objects (no apiVersion/kind), e.g. values files or plain config. */
  skipped: number;
}

export interface ParseOptions {
  /** Largest accepted input in characters (default 256 MiB): a safety limit, far above real manifest streams. */
  maxBytes?: number;
  /**
   * Most nodes that aliases may add to one document when expanded (default 100,000): a bound against alias bombs
   * (`&a [*b, *b, ...]` nested), whose expansion grows exponentially.
   */
  maxAliasNodes?: number;
  /**
   * `false`: the text is not kept on the SourceFile (`text` is `''`), and no value read from it shares its memory,
   * so a run that only reports lets go of the input once it is parsed. Nothing can then be fixed from it.
   */
  keepText?: boolean;
}

export const DEFAULT_MAX_MANIFEST_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_ALIAS_NODES = 100_000;

/**
 * Offsets of keys and list items, appended as a document is read. The layout of a value's block: for a map, for each
 * key in `Object.keys` order, the key's offset then the block of its value; for a list, each item's offset then its
 * block; nothing for a scalar. So the place of any path is found by walking the plain data (see locate).
 */
class OffsetBuffer {
  data = new Int32Array(4096);
  length = 0;

  /** `textLength`: the length of the text the offsets point into, to tell how many the rest of it will hold. */
  constructor(private readonly textLength: number) {}

  push(offset: number): void {
    if (this.length === this.data.length) this.grow(1);
    this.data[this.length++] = offset;
  }

  append(block: Int32Array): void {
    if (this.length + block.length > this.data.length) this.grow(block.length);
    this.data.set(block, this.length);
    this.length += block.length;
  }

  /**
   * Doubling alone would end with up to half the buffer unused, and a copy at its exact length beside it while the
   * text is still held (the moment of a large parse's peak). The offsets are places in the text, read in order: the
   * last one tells how far the read got, so the buffer grows to what the whole text should need, with 5 % to spare
   * (at least an eighth more, at most twice as much).
   */
  private grow(by: number): void {
    const capacity = this.data.length;
    const reached = this.data[this.length - 1] ?? 0;
    const expected = reached > 0 ? Math.ceil(((this.length * this.textLength) / reached) * 1.05) : 0;
    const size = Math.min(capacity * 2, Math.max(expected, capacity + (capacity >> 3)));
    const next = new Int32Array(Math.max(size, this.length + by));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** The offsets read: a copy at their exact length, or a view of the buffer when little of it is unused. */
  result(): Int32Array {
    const unused = this.data.length - this.length;
    return unused <= this.length >> 3 ? this.data.subarray(0, this.length) : this.data.slice(0, this.length);
  }
}

/**
 * A copy of a string that shares no memory with the strings it was made from: not a view into a larger text (V8 keeps
 * a substring of 13 characters or more as one, so a value kept from a parsed document would keep the whole input
 * alive), nor a tree of the pieces it was concatenated from (a message built by a template literal).
 */
export function detached(value: string): string {
  // A short substring is a copy already. JSON's parser makes each string it reads a new flat string of its own: a
  // slice of a joined copy (` ${value}`.slice(1)) would be a view too, 32 bytes more and the copy one character longer.
  return value.length < 13 ? value : (JSON.parse(JSON.stringify(value)) as string);
}

/**
 * One copy of each short string value of a file: labels, images, port names and protocols repeat across the objects
 * of a stream, and each scalar would otherwise be a string of its own (a fifth of the plain data of a `helm template`
 * stream). With `detach`, every string kept is a copy of its own (see detached).
 */
class StringTable {
  private readonly table = new Map<string, string>();

  constructor(private readonly detach: boolean) {}

  own(value: string): string {
    return this.detach ? detached(value) : value;
  }

  intern(value: string): string {
    if (value.length > 64) return this.own(value);
    const known = this.table.get(value);
    if (known !== undefined) return known;
    const kept = this.own(value);
    // Values that repeat show up early; a file of distinct values (one huge list) does not fill the table.
    if (this.table.size < 50_000) this.table.set(kept, kept);
    return kept;
  }
}

/** How many offsets the block of a value holds: one per key or item, recursively. */
function blockSize(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let n = 0;
  if (Array.isArray(value)) for (const item of value) n += 1 + blockSize(item);
  else for (const key of Object.keys(value)) n += 1 + blockSize((value as Record<string, unknown>)[key]);
  return n;
}

/**
 * Walks `path` from a value whose block starts at `start`, as far as the plain data has it: the offset of the last
 * key or item reached (`fallback` when none), and where the block of the value reached starts.
 */
function locate(
  offsets: Int32Array,
  value: unknown,
  start: number,
  path: YamlPath,
  fallback: number,
): { offset: number; start: number; value: unknown } {
  let offset = fallback;
  let at = start;
  for (const step of path) {
    if (typeof value !== 'object' || value === null) break;
    let entry = at;
    if (Array.isArray(value)) {
      if (typeof step !== 'number' || step >= value.length) break;
      for (let i = 0; i < step; i++) entry += 1 + blockSize(value[i]);
      value = value[step];
    } else {
      const key = String(step);
      if (!Object.hasOwn(value, key)) break;
      const map = value as Record<string, unknown>;
      for (const k of Object.keys(map)) {
        if (k === key) break;
        entry += 1 + blockSize(map[k]);
      }
      value = map[key];
    }
    offset = offsets[entry] ?? offset;
    at = entry + 1;
  }
  return { offset, start: at, value };
}

/** Thrown inside the reader of one document; turned into a ManifestError with the file's position. */
class ReadError {
  constructor(
    readonly code: ManifestErrorCode,
    readonly offset: number,
    readonly message: string,
  ) {}
}

const MERGE_TAG = 'tag:yaml.org,2002:merge';

/** Keys that JavaScript puts first in an object whatever their order (array indexes): `Object.keys` reorders them. */
const INDEX_KEY = /^(0|[1-9]\d{0,8})$/;

/**
 * Turns one composed yaml document into plain data as the Kubernetes API server receives it from kubectl (go-yaml,
 * then JSON): aliases resolved (the same plain value for every use of an anchor), `<<` merge keys applied, keys as
 * strings; and appends the offset of every map key and list item to the file's offsets.
 */
class DocumentReader {
  private readonly anchors = new Map<string, Node>();
  /** Plain value, expanded size and offsets block of each anchored node, once read. */
  private readonly anchored = new Map<Node, { value: unknown; size: number; block: Int32Array }>();
  /** Anchored nodes being read: an alias to one of them is a recursive structure. */
  private readonly open = new Set<Node>();
  /** Nodes read so far, aliases counted at their expanded size. */
  private size = 0;
  /** Nodes added by aliases. */
  private aliased = 0;

  constructor(
    private readonly text: string,
    private readonly maxAliasNodes: number,
    private readonly offsets: OffsetBuffer,
    private readonly strings: StringTable,
  ) {}

  read(node: unknown): unknown {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.alias(node);
    const anchorable = node as Node;
    if (anchorable.anchor === undefined) return this.value(anchorable);
    this.anchors.set(anchorable.anchor, anchorable);
    this.open.add(anchorable);
    const before = this.size;
    const start = this.offsets.length;
    const value = this.value(anchorable);
    this.open.delete(anchorable);
    const block = this.offsets.data.slice(start, this.offsets.length);
    this.anchored.set(anchorable, { value, size: this.size - before, block });
    return value;
  }

  private alias(node: Node & { source: string }): unknown {
    const offset = node.range?.[0] ?? 0;
    const target = this.anchors.get(node.source);
    if (!target) throw new ReadError('ERR_ZERODROP_YAML_SYNTAX', offset, `invalid YAML: unknown alias *${node.source}`);
    if (this.open.has(target)) {
      throw new ReadError(
        'ERR_ZERODROP_YAML_SYNTAX',
        offset,
        `invalid YAML: alias *${node.source} refers to a value that contains it (a recursive structure)`,
      );
    }
    const read = this.anchored.get(target)!;
    this.size += read.size;
    this.aliased += read.size;
    if (this.aliased > this.maxAliasNodes) {
      throw new ReadError(
        'ERR_ZERODROP_ALIAS_BOMB',
        offset,
        `YAML aliases expand this document by more than ${this.maxAliasNodes} nodes: expand the anchors by hand`,
      );
    }
    // Each use of the anchor gets its own copy of the offsets: positions inside it point at the anchored text.
    this.offsets.append(read.block);
    return read.value;
  }

  private value(node: Node): unknown {
    this.size++;
    if (isScalar(node)) {
      const value = scalarValue(node.value, node.source);
      return typeof value === 'string' ? this.strings.intern(value) : value;
    }
    if (isMap(node)) return this.map(node.items, node.range?.[0] ?? 0, node.flow === true);
    if (isSeq(node)) {
      // Sized once: a list grown item by item keeps twice its room.
      const out: unknown[] = new Array(node.items.length);
      const at = node.range?.[0] ?? 0;
      node.items.forEach((item, i) => {
        // `[a: 1]`: a pair in a flow sequence is a one-key map.
        if (isPair(item)) {
          const keyAt = (item.key as Node | null)?.range?.[0] ?? at;
          this.offsets.push(keyAt);
          out[i] = this.map([item], keyAt, true);
        } else {
          this.offsets.push((item as Node | null)?.range?.[0] ?? at);
          out[i] = this.read(item);
        }
      });
      return out;
    }
    return null;
  }

  private map(items: readonly unknown[], start: number, flow: boolean): Record<string, unknown> {
    if (flow) this.refuseTemplate(start);
    const begin = this.offsets.length;
    // Keys and values in the order written (merged ones at the place of `<<`), and where each entry's offsets
    // start: the object is made once from them.
    const names: string[] = [];
    const values: unknown[] = [];
    const starts: number[] = [];
    let merged = false;
    for (const item of items) {
      if (!isPair(item)) continue;
      const key = item.key as Node | null;
      const keyOffset = key?.range?.[0] ?? start;
      if (
        isScalar(key) &&
        key.value === '<<' &&
        (key.tag === MERGE_TAG || (key.tag === undefined && key.type === 'PLAIN'))
      ) {
        this.merge(item.value, keyOffset, names, values, starts);
        merged = true;
        continue;
      }
      const name = this.keyName(key, keyOffset);
      names.push(name);
      starts.push(this.offsets.length);
      this.offsets.push(keyOffset);
      values.push(this.read(item.value));
    }
    const distinct = !merged && !names.includes('__proto__') && new Set(names).size === names.length;
    const out = distinct ? makeObject(names, values) : objectOf(names, values);
    // Object.keys puts index-like keys first and keeps the first place of a key written twice.
    if (!distinct || names.some((n) => INDEX_KEY.test(n))) this.reorder(out, begin, names, starts);
    return out;
  }

  /** Rewrites the block of a map that was just read so that its entries follow `Object.keys` (the last of each). */
  private reorder(out: Record<string, unknown>, begin: number, names: string[], starts: number[]): void {
    const data = this.offsets.data;
    const end = this.offsets.length;
    const last = new Map<string, [number, number]>();
    for (let i = 0; i < names.length; i++) last.set(names[i]!, [starts[i]!, starts[i + 1] ?? end]);
    const block: number[] = [];
    for (const key of Object.keys(out)) {
      const [from, to] = last.get(key)!;
      for (let i = from; i < to; i++) block.push(data[i]!);
    }
    this.offsets.length = begin;
    this.offsets.append(Int32Array.from(block));
  }

  /** A key as the JSON the API server receives has it: a string; a map or list as a key has no JSON form. */
  private keyName(key: Node | null, offset: number): string {
    if (key === null || key === undefined) return '';
    const mark = this.offsets.length;
    const value = isAlias(key) ? this.read(key) : isScalar(key) ? scalarValue(key.value, key.source) : undefined;
    // An aliased key's value has no place of its own among the offsets.
    this.offsets.length = mark;
    if (value === null) return '';
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (isMap(key) && key.flow) this.refuseTemplate(offset);
    throw new ReadError(
      'ERR_ZERODROP_YAML_SYNTAX',
      offset,
      'invalid YAML for Kubernetes: a map or list used as a mapping key has no JSON form',
    );
  }

  /**
   * `<<: *base` (or `<<: [*a, *b]`), as go-yaml v2 — the parser behind kubectl and the API server — applies it: the
   * merged map's keys are set at the place of `<<`, over keys written before it and under keys written after it;
   * in a list, earlier maps win. Offsets of merged keys point where the merged map writes them.
   */
  private merge(value: unknown, offset: number, names: string[], values: unknown[], starts: number[]): void {
    const sources = isSeq(value) ? [...value.items].reverse() : [value];
    for (const source of sources) {
      let at = this.offsets.length;
      const merged = this.read(source);
      if (typeof merged !== 'object' || merged === null || Array.isArray(merged)) {
        throw new ReadError(
          'ERR_ZERODROP_YAML_SYNTAX',
          offset,
          'invalid YAML for Kubernetes: a `<<` merge key needs a map or a list of maps as its value',
        );
      }
      for (const [k, v] of Object.entries(merged)) {
        names.push(k);
        values.push(v);
        starts.push(at);
        at += 1 + blockSize(v);
      }
    }
  }

  private refuseTemplate(offset: number): void {
    if (this.text.startsWith('{{', offset)) {
      const template = describeTemplate(this.text, offset);
      throw new ReadError(template.code, offset, template.message);
    }
  }
}

/** A scalar's value as JSON has it: timestamps, binary and other YAML 1.1 types stay the text they were written as. */
function scalarValue(value: unknown, source: string | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return source ?? '';
}

/** Makers of objects of one set of keys, by the keys: an object made whole is a third smaller than one grown key by key. */
const makers = new Map<string, (values: unknown[]) => Record<string, unknown>>();
const MAX_MAKERS = 20_000;
const MAX_MAKER_KEYS = 32;

/**
 * An object with these distinct keys (`__proto__` aside) and values, made by an object literal of exactly those keys
 * (built once per set of keys; the keys are written as JSON strings, which are JavaScript string literals).
 */
function makeObject(names: string[], values: unknown[]): Record<string, unknown> {
  if (names.length > MAX_MAKER_KEYS) return objectOf(names, values);
  const signature = names.join('\u0000');
  let make = makers.get(signature);
  if (!make) {
    if (makers.size >= MAX_MAKERS) return objectOf(names, values);
    const fields = names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ');
    make = new Function('v', `return {${fields}};`) as (values: unknown[]) => Record<string, unknown>;
    // The cache outlives the text: its key must not be a view into it (one key's name is its signature).
    makers.set(detached(signature), make);
  }
  return make(values);
}

/** An object grown key by key, in order: a key written twice keeps its first place and its last value. */
function objectOf(names: string[], values: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) setOwn(out, names[i]!, values[i]);
  return out;
}

/** Sets a key as an own data property, also `__proto__` and names `Object.prototype` has (`constructor`, ...). */
function setOwn(out: Record<string, unknown>, name: string, value: unknown): void {
  if (name in out) Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
  else out[name] = value;
}

/** One yaml document of a stream, read into plain data. */
interface ReadDocument {
  index: number;
  /** `[start, end)` in the text. */
  span: [number, number];
  /** Offset of the document's content. */
  offset: number;
  /** Undefined when the document could not be read. */
  value: unknown;
  /** The offsets read so far (see OffsetBuffer), and where this document's start. */
  offsets: Int32Array;
  offsetsStart: number;
}

/**
 * Runs `parse` with process.env as a plain copy of itself. yaml's parser reads `process.env.LOG_TOKENS` (a debugging
 * switch) for every token, and each read of process.env is a call into the C library's environment: a third of the
 * parse time. The parse is synchronous, so nothing else sees the copy; the real process.env is back right after.
 */
export function withPlainEnv<T>(parse: () => T): T {
  const env = process.env;
  process.env = { ...env };
  try {
    return parse();
  } finally {
    process.env = env;
  }
}

/**
 * Reads a YAML stream document by document: the parser's tokens go to the composer as they come, each composed
 * Document is turned into plain data and dropped, so memory stays near the size of the plain data. A document that
 * cannot be read is passed to `onProblem` and the stream goes on (a broken document among thousands of a `helm
 * template` output costs that document); without `onProblem` it is thrown. Too large an input is always thrown.
 */
function readStream(
  text: string,
  file: string,
  options: ParseOptions,
  onDocument: (read: ReadDocument) => void,
  onProblem?: (problem: ManifestError) => void,
): Int32Array {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  let lines: Int32Array | undefined;
  const problem = (code: ManifestErrorCode, offset: number, message: string): ManifestError => {
    lines ??= lineStartsOf(text);
    const at = linePosition(lines, Math.max(0, Math.min(offset, text.length)));
    // A message may quote the text (an unrendered template): its own copy, so that it does not hold the text.
    return new ManifestError(code, file, at, options.keepText === false ? detached(message) : message);
  };
  if (text.length > maxBytes) {
    throw problem(
      'ERR_ZERODROP_FILE_TOO_LARGE',
      0,
      `input is ${text.length} characters, more than the safety limit of ${maxBytes}: split it`,
    );
  }
  const report = (error: ManifestError) => {
    if (!onProblem) throw error;
    onProblem(error);
  };
  /** A parse error in `[from, to)`: an unrendered template there is what to fix, else the YAML error itself. */
  const syntaxError = (from: number, to: number, offset: number, message: string): ManifestError => {
    const template = findTemplateMarker(text.slice(from, to));
    if (template !== undefined) {
      const { code, message: help } = describeTemplate(text, from + template);
      return problem(code, from + template, help);
    }
    return problem('ERR_ZERODROP_YAML_SYNTAX', offset, `invalid YAML: ${stripAt(message.split('\n')[0] ?? message)}`);
  };
  const maxAliasNodes = options.maxAliasNodes ?? DEFAULT_MAX_ALIAS_NODES;
  const offsets = new OffsetBuffer(text.length);
  const strings = new StringTable(options.keepText === false);
  let previousEnd = 0;
  let index = 0;
  const read = (doc: Document): void => {
    const end = Math.max(doc.range?.[2] ?? text.length, previousEnd);
    const span: [number, number] = [previousEnd, end];
    previousEnd = end;
    const at = index++;
    const offset = (doc.contents as Node | null)?.range?.[0] ?? span[0];
    const error = doc.errors[0];
    if (error) {
      onDocument({ index: at, span, offset, value: undefined, offsetsStart: offsets.length, offsets: offsets.data });
      report(syntaxError(span[0], span[1], error.pos[0], error.message));
      return;
    }
    const offsetsStart = offsets.length;
    let value: unknown;
    try {
      value = new DocumentReader(text, maxAliasNodes, offsets, strings).read(doc.contents);
    } catch (thrown) {
      if (!(thrown instanceof ReadError)) throw thrown;
      offsets.length = offsetsStart;
      onDocument({ index: at, span, offset, value: undefined, offsetsStart, offsets: offsets.data });
      report(problem(thrown.code, thrown.offset, thrown.message));
      return;
    }
    onDocument({ index: at, span, offset, value, offsetsStart, offsets: offsets.data });
  };
  const composer = new Composer({ uniqueKeys: false });
  withPlainEnv(() => {
    for (const token of new Parser().parse(text)) for (const doc of composer.next(token)) read(doc);
    for (const doc of composer.end(false, text.length)) read(doc);
  });
  const streamError = composer.streamInfo().errors[0];
  if (streamError) report(syntaxError(0, text.length, streamError.pos[0], streamError.message));
  return offsets.result();
}

/**
 * The plain data of every yaml document in a text, as parseManifests reads it (aliases and merge keys resolved), for
 * comparing a text before and after an edit. Throws ManifestError for input that cannot be read.
 */
export function readYamlValues(text: string, file: string, options: ParseOptions = {}): unknown[] {
  const values: unknown[] = [];
  readStream(text, file, options, (read) => values.push(read.value));
  return values;
}

/**
 * Parses manifest text (multi-document YAML, or JSON) into Kubernetes objects with the offsets of their fields kept
 * for positions. Throws ManifestError for input that cannot be read; never anything else for bad input. With
 * `problems`, a document that cannot be read is added there and the other documents are still read.
 */
export function parseManifests(
  text: string,
  file: string,
  options: ParseOptions = {},
  problems?: ManifestError[],
): ParsedManifests {
  const spans: [number, number][] = [];
  const source: SourceFile = {
    file,
    text,
    lineStarts: lineStartsOf(text),
    documentSpans: spans,
    offsets: new Int32Array(),
  };
  const objects: ManifestDocument[] = [];
  let skipped = 0;
  const keepText = options.keepText !== false;
  const read = ({ index, span, offset, value, offsetsStart, offsets }: ReadDocument) => {
    if (keepText) spans.push(span);
    if (value === null || value === undefined) return;
    if (!isKubernetesObject(value)) {
      skipped++;
      return;
    }
    if (value.kind.endsWith('List') && Array.isArray(value.items)) {
      let at = locate(offsets, value, offsetsStart, ['items'], offset).start;
      for (const [i, item] of (value.items as unknown[]).entries()) {
        if (isKubernetesObject(item)) objects.push(toObject(source, index, ['items', i], offsets[at]!, at + 1, item));
        else skipped++;
        at += 1 + blockSize(item);
      }
      return;
    }
    objects.push(toObject(source, index, TOP_LEVEL, offset, offsetsStart, value));
  };
  const buffer = readStream(text, file, options, read, problems ? (e) => problems.push(e) : undefined);
  source.offsets = buffer;
  if (!keepText) source.text = '';
  return { source, objects, skipped };
}

function stripAt(message: string): string {
  return message.replace(/ at line \d+, column \d+:?$/, '');
}

interface KubernetesObjectLike {
  apiVersion: string;
  kind: string;
  [key: string]: unknown;
}

function isKubernetesObject(value: unknown): value is KubernetesObjectLike {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.apiVersion === 'string' && typeof v.kind === 'string' && v.kind !== '';
}

/** The basePath of an object that is a whole yaml document: one for all of them (a stream has tens of thousands). */
const TOP_LEVEL: YamlPath = Object.freeze([]);

function toObject(
  source: SourceFile,
  documentIndex: number,
  basePath: YamlPath,
  offset: number,
  offsetsStart: number,
  value: KubernetesObjectLike,
): ManifestDocument {
  const metadata = asRecord(value.metadata);
  return {
    source,
    documentIndex,
    basePath,
    offset,
    offsetsStart,
    apiVersion: value.apiVersion,
    kind: value.kind,
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace: typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined,
    object: value,
  };
}

/** The value when it is a plain object, else an empty one: manifests are untrusted and often partial. */
export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The value when it is a list, else an empty one. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A string, or undefined for anything else. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A finite number, or a numeric string (manifests often quote numbers); undefined otherwise. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** A scalar as text (`8080` → "8080"); undefined for null, maps and lists, which have no text of their own. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A list of scalars as strings (command, args); other items are left out. Undefined when it is not a list. */
export function asStringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const item of value) {
    const text = scalarText(item);
    if (text !== undefined) out.push(text);
  }
  return out;
}

/** A map of strings (labels, annotations, selectors): numbers and booleans as text, other values left out. */
export function asStringMap(value: unknown): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(asRecord(value))) {
    const text = scalarText(v);
    if (text === undefined) continue;
    out ??= {};
    setOwn(out, k, text);
  }
  return out ?? EMPTY_STRING_MAP;
}

/**
 * A list built by `push`, copied at its exact length: V8 leaves room for about 16 more items in an array that grew,
 * and the model of a large stream keeps tens of thousands of short lists.
 */
export function exactList<T>(list: T[]): T[] {
  return list.slice();
}

/**
 * What asStringMap returns for a map with no scalar entry, shared (and frozen): most of the label, annotation and
 * resource maps a large stream's model reads are empty.
 */
const EMPTY_STRING_MAP: Record<string, string> = Object.freeze({});

/**
 * Any value as a short text for messages, without calling anything the value carries (a map may have a key named
 * `toString`): scalars as written, maps and lists as compact JSON, cut at `max` characters.
 */
export function displayValue(value: unknown, max = 60): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? typeof value;
    } catch {
      text = Array.isArray(value) ? '[...]' : '{...}';
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Where a walk along a path inside a yaml document ended. */
export interface PathWalk {
  /** The node reached (the value at `path` when `depth === path.length`). */
  node: unknown;
  /** The map key of the last step taken, when that step was a map step. */
  key: Node | undefined;
  /** How many steps of the path exist in the document. */
  depth: number;
  /** Each step taken: the value it reached (an alias as written) and its map key (none for a list item). */
  steps: { node: unknown; key: Node | undefined }[];
  /**
   * The first alias the walk went through (or ended on), as the index of its step in `steps` (-1: the document's
   * root): an edit at or below it would change the anchored value, and with it every other use of the anchor.
   */
  aliasStep?: number;
}

/** Walks `path` (map keys and sequence indexes) inside a yaml document, as far as it is written (merges aside). */
export function walkPath(doc: Document, path: YamlPath): PathWalk {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let aliasStep: number | undefined;
  const steps: PathWalk['steps'] = [];
  for (const step of path) {
    if (isAlias(node)) {
      aliasStep ??= steps.length - 1;
      node = node.resolve(doc);
    }
    if (isMap(node)) {
      let pair: { key: unknown; value: unknown } | undefined;
      // The last of duplicate keys is the one that counts, as in the plain data.
      for (let i = node.items.length - 1; i >= 0 && !pair; i--) {
        const p = node.items[i]!;
        if (isScalar(p.key) && String(p.key.value) === String(step)) pair = p;
      }
      if (!pair) break;
      key = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' && step < node.items.length) {
      node = node.items[step];
      key = undefined;
    } else break;
    steps.push({ node, key });
  }
  if (isAlias(node) && steps.length === path.length) aliasStep ??= steps.length - 1;
  const walk: PathWalk = { node, key, depth: steps.length, steps };
  if (aliasStep !== undefined) walk.aliasStep = aliasStep;
  return walk;
}

const documentCache = new WeakMap<SourceFile, Map<number, Document | undefined>>();

/**
 * The yaml Document of one document of a source, parsed again from its span, with node ranges as offsets into the
 * whole text (what a fix splices). Undefined when the span does not read back as exactly one clean document.
 */
export function yamlDocumentOf(source: SourceFile, index: number): Document | undefined {
  let cache = documentCache.get(source);
  if (!cache) {
    cache = new Map();
    documentCache.set(source, cache);
  }
  if (cache.has(index)) return cache.get(index);
  const span = source.documentSpans[index];
  let doc: Document | undefined;
  if (span) {
    const slice = source.text.slice(span[0], span[1]);
    const docs = withPlainEnv(() => parseAllDocuments(slice, { uniqueKeys: false })) as Document[];
    const only = Array.isArray(docs) ? docs.filter((d) => d.contents !== null) : [];
    if (only.length === 1 && only[0]!.errors.length === 0) {
      doc = only[0]!;
      shiftRanges(doc.contents, span[0]);
    }
  }
  cache.set(index, doc);
  return doc;
}

function shiftRanges(node: unknown, by: number): void {
  if (node === null || typeof node !== 'object') return;
  const n = node as { range?: number[]; items?: unknown[]; key?: unknown; value?: unknown };
  if (Array.isArray(n.range)) for (let i = 0; i < n.range.length; i++) n.range[i]! += by;
  if (isPair(node)) {
    shiftRanges(n.key, by);
    shiftRanges(n.value, by);
  } else if (Array.isArray(n.items)) for (const item of n.items) shiftRanges(item, by);
}

/**
 * The offset where `path` (relative to the object) is written: the key of its last map step, or its last list item;
 * a missing field gives its nearest written parent, so a finding about it still lands on the right line.
 */
function offsetOf(object: ManifestDocument, path: YamlPath): number {
  return locate(object.source.offsets, object.object, object.offsetsStart, path, object.offset).offset;
}

/** Where `path` (relative to the object) is written, or its nearest written parent. */
export function positionOf(object: ManifestDocument, path: YamlPath = []): SourcePosition {
  return linePosition(object.source.lineStarts, offsetOf(object, path));
}

/** True when `path` (relative to the object) is written in the source (merge keys and aliases included). */
export function hasPath(object: ManifestDocument, path: YamlPath): boolean {
  let value: unknown = object.object;
  for (const step of path) {
    if (Array.isArray(value)) {
      if (typeof step !== 'number' || step >= value.length) return false;
      value = value[step];
    } else if (typeof value === 'object' && value !== null && Object.hasOwn(value, String(step))) {
      value = (value as Record<string, unknown>)[String(step)];
    } else return false;
  }
  return true;
}
