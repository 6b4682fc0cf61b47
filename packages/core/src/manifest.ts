import {
  Composer,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
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
 * One parsed file: its text, where each yaml document lies in it, and a line index (built on first use). The yaml
 * Documents themselves are not kept: a Document costs tens of times its text in memory, so documents are read one
 * at a time into plain data, and parsed again (`yamlDocumentOf`) only where a fix edits them.
 */
export interface SourceFile {
  file: string;
  text: string;
  readonly lineCounter: LineCounter;
  /** `[start, end)` of each yaml document in `text`, in order. */
  documentSpans: readonly (readonly [number, number])[];
}

/** The line index of a text, built from its newlines (no LineCounter runs while parsing). */
function lineIndex(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return lines;
}

function sourceFile(file: string, text: string, documentSpans: [number, number][]): SourceFile {
  let lines: LineCounter | undefined;
  return {
    file,
    text,
    documentSpans,
    get lineCounter(): LineCounter {
      lines ??= lineIndex(text);
      return lines;
    },
  };
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
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace, or undefined when the manifest leaves it to the context. */
  namespace: string | undefined;
  /** The object as plain data (aliases and `<<` merge keys resolved), with the offsets of its keys kept aside. */
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
}

export const DEFAULT_MAX_MANIFEST_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_ALIAS_NODES = 100_000;

/** Where the offsets of a plain map's keys (`[key, offset, key, offset, ...]`) or a list's items are kept. */
const POSITIONS = Symbol('zerodrop.positions');

type Positioned = { [POSITIONS]?: (string | number)[] | number[] };

function keepPositions(value: object, positions: (string | number)[] | number[]): void {
  Object.defineProperty(value, POSITIONS, { value: positions, enumerable: false });
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

/**
 * Turns one composed yaml document into plain data as the Kubernetes API server receives it from kubectl (go-yaml,
 * then JSON): aliases resolved (the same plain value for every use of an anchor), `<<` merge keys applied, keys as
 * strings, and the offset of every map key and list item kept for positions.
 */
class DocumentReader {
  private readonly anchors = new Map<string, Node>();
  /** Plain value and expanded size of each anchored node, once read. */
  private readonly anchored = new Map<Node, { value: unknown; size: number }>();
  /** Anchored nodes being read: an alias to one of them is a recursive structure. */
  private readonly open = new Set<Node>();
  /** Nodes read so far, aliases counted at their expanded size. */
  private size = 0;
  /** Nodes added by aliases. */
  private aliased = 0;

  constructor(
    private readonly text: string,
    private readonly maxAliasNodes: number,
  ) {}

  read(node: unknown): unknown {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.alias(node);
    const anchorable = node as Node;
    if (anchorable.anchor === undefined) return this.value(anchorable);
    this.anchors.set(anchorable.anchor, anchorable);
    this.open.add(anchorable);
    const before = this.size;
    const value = this.value(anchorable);
    this.open.delete(anchorable);
    this.anchored.set(anchorable, { value, size: this.size - before });
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
    return read.value;
  }

  private value(node: Node): unknown {
    this.size++;
    if (isScalar(node)) return scalarValue(node.value, node.source);
    if (isMap(node)) return this.map(node.items, node.range?.[0] ?? 0, node.flow === true);
    if (isSeq(node)) {
      const out: unknown[] = [];
      const positions: number[] = [];
      for (const item of node.items) {
        // `[a: 1]`: a pair in a flow sequence is a one-key map.
        if (isPair(item)) {
          positions.push((item.key as Node | null)?.range?.[0] ?? node.range?.[0] ?? 0);
          out.push(this.map([item], (item.key as Node | null)?.range?.[0] ?? 0, true));
        } else {
          positions.push((item as Node | null)?.range?.[0] ?? node.range?.[0] ?? 0);
          out.push(this.read(item));
        }
      }
      keepPositions(out, positions);
      return out;
    }
    return null;
  }

  private map(items: readonly unknown[], start: number, flow: boolean): Record<string, unknown> {
    if (flow) this.refuseTemplate(start);
    const out: Record<string, unknown> = {};
    const positions: (string | number)[] = [];
    for (const item of items) {
      if (!isPair(item)) continue;
      const key = item.key as Node | null;
      const keyOffset = key?.range?.[0] ?? start;
      if (
        isScalar(key) &&
        key.value === '<<' &&
        (key.tag === MERGE_TAG || (key.tag === undefined && key.type === 'PLAIN'))
      ) {
        this.merge(item.value, keyOffset, out, positions);
        continue;
      }
      const name = this.keyName(key, keyOffset);
      setOwn(out, name, this.read(item.value));
      positions.push(name, keyOffset);
    }
    keepPositions(out, positions);
    return out;
  }

  /** A key as the JSON the API server receives has it: a string; a map or list as a key has no JSON form. */
  private keyName(key: Node | null, offset: number): string {
    if (key === null || key === undefined) return '';
    const value = isAlias(key) ? this.read(key) : isScalar(key) ? scalarValue(key.value, key.source) : undefined;
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
   * in a list, earlier maps win.
   */
  private merge(value: unknown, offset: number, out: Record<string, unknown>, positions: (string | number)[]): void {
    const sources = isSeq(value) ? [...value.items].reverse() : [value];
    for (const source of sources) {
      const merged = this.read(source);
      if (typeof merged !== 'object' || merged === null || Array.isArray(merged)) {
        throw new ReadError(
          'ERR_ZERODROP_YAML_SYNTAX',
          offset,
          'invalid YAML for Kubernetes: a `<<` merge key needs a map or a list of maps as its value',
        );
      }
      const from = (merged as Positioned)[POSITIONS] as (string | number)[] | undefined;
      for (const [k, v] of Object.entries(merged)) {
        setOwn(out, k, v);
        positions.push(k, keyOffsetIn(from, k) ?? offset);
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

/** Sets a key as an own data property, also `__proto__` and names `Object.prototype` has (`constructor`, ...). */
function setOwn(out: Record<string, unknown>, name: string, value: unknown): void {
  if (name in out) Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
  else out[name] = value;
}

function keyOffsetIn(positions: readonly (string | number)[] | undefined, key: string): number | undefined {
  if (!positions) return undefined;
  // A key written twice counts where it was written last, as its value does.
  for (let i = positions.length - 2; i >= 0; i -= 2) if (positions[i] === key) return positions[i + 1] as number;
  return undefined;
}

/** One yaml document of a stream, read into plain data. */
interface ReadDocument {
  index: number;
  /** `[start, end)` in the text. */
  span: [number, number];
  /** Offset of the document's content. */
  offset: number;
  value: unknown;
}

/**
 * Reads a YAML stream document by document: the parser's tokens go to the composer as they come, each composed
 * Document is turned into plain data and dropped, so memory stays near the size of the plain data. Throws
 * ManifestError for input that cannot be read.
 */
function readStream(text: string, file: string, options: ParseOptions, onDocument: (read: ReadDocument) => void) {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  let lines: LineCounter | undefined;
  const pos = (offset: number): SourcePosition => {
    lines ??= lineIndex(text);
    const p = lines.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line, column: p.col };
  };
  const fail = (code: ManifestErrorCode, offset: number, message: string): never => {
    throw new ManifestError(code, file, pos(offset), message);
  };
  if (text.length > maxBytes) {
    fail(
      'ERR_ZERODROP_FILE_TOO_LARGE',
      0,
      `input is ${text.length} characters, more than the safety limit of ${maxBytes}: split it`,
    );
  }
  const syntaxError = (offset: number, message: string): never => {
    const template = findTemplateMarker(text);
    if (template !== undefined) {
      const { code, message: help } = describeTemplate(text, template);
      fail(code, template, help);
    }
    return fail('ERR_ZERODROP_YAML_SYNTAX', offset, `invalid YAML: ${stripAt(message.split('\n')[0] ?? message)}`);
  };
  const maxAliasNodes = options.maxAliasNodes ?? DEFAULT_MAX_ALIAS_NODES;
  let previousEnd = 0;
  let index = 0;
  const read = (doc: Document): void => {
    const error = doc.errors[0];
    if (error) syntaxError(error.pos[0], error.message);
    const end = Math.max(doc.range?.[2] ?? text.length, previousEnd);
    const span: [number, number] = [previousEnd, end];
    previousEnd = end;
    let value: unknown;
    try {
      value = new DocumentReader(text, maxAliasNodes).read(doc.contents);
    } catch (problem) {
      if (!(problem instanceof ReadError)) throw problem;
      fail(problem.code, problem.offset, problem.message);
    }
    onDocument({ index: index++, span, offset: (doc.contents as Node | null)?.range?.[0] ?? 0, value });
  };
  const composer = new Composer({ uniqueKeys: false });
  for (const token of new Parser().parse(text)) for (const doc of composer.next(token)) read(doc);
  for (const doc of composer.end(false, text.length)) read(doc);
  const streamError = composer.streamInfo().errors[0];
  if (streamError) syntaxError(streamError.pos[0], streamError.message);
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
 * for positions. Throws ManifestError for input that cannot be read; never anything else for bad input.
 */
export function parseManifests(text: string, file: string, options: ParseOptions = {}): ParsedManifests {
  const spans: [number, number][] = [];
  const source = sourceFile(file, text, spans);
  const objects: ManifestDocument[] = [];
  let skipped = 0;
  readStream(text, file, options, ({ index, span, offset, value }) => {
    spans.push(span);
    if (value === null || value === undefined) return;
    if (!isKubernetesObject(value)) {
      skipped++;
      return;
    }
    if (value.kind.endsWith('List') && Array.isArray(value.items)) {
      const items = value.items as unknown[];
      const at = (items as Positioned)[POSITIONS] as number[] | undefined;
      items.forEach((item, i) => {
        if (isKubernetesObject(item)) objects.push(toObject(source, index, ['items', i], at?.[i] ?? offset, item));
        else skipped++;
      });
      return;
    }
    objects.push(toObject(source, index, [], offset, value));
  });
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

function toObject(
  source: SourceFile,
  documentIndex: number,
  basePath: YamlPath,
  offset: number,
  value: KubernetesObjectLike,
): ManifestDocument {
  const metadata = asRecord(value.metadata);
  return {
    source,
    documentIndex,
    basePath,
    offset,
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
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(value))) {
    const text = scalarText(v);
    if (text !== undefined) setOwn(out, k, text);
  }
  return out;
}

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
    const docs = parseAllDocuments(source.text.slice(span[0], span[1]), { uniqueKeys: false }) as Document[];
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
  let offset = object.offset;
  let value: unknown = object.object;
  for (const step of path) {
    if (typeof value !== 'object' || value === null) break;
    const positions = (value as Positioned)[POSITIONS];
    if (Array.isArray(value)) {
      if (typeof step !== 'number' || step >= value.length) break;
      offset = (positions as number[] | undefined)?.[step] ?? offset;
      value = value[step];
    } else {
      const key = String(step);
      if (!Object.hasOwn(value, key)) break;
      offset = keyOffsetIn(positions as (string | number)[] | undefined, key) ?? offset;
      value = (value as Record<string, unknown>)[key];
    }
  }
  return offset;
}

/** Where `path` (relative to the object) is written, or its nearest written parent. */
export function positionOf(object: ManifestDocument, path: YamlPath = []): SourcePosition {
  const p = object.source.lineCounter.linePos(offsetOf(object, path));
  return { line: p.line, column: p.col };
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
