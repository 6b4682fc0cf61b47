import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from 'yaml';

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
 * One parsed file: the text, its yaml Documents (comments and layout kept) and a line index. The line index is built
 * from the text on first use (when a position is asked for), not while parsing.
 */
export interface SourceFile {
  file: string;
  text: string;
  lineCounter: LineCounter;
  documents: Document[];
}

function sourceFile(file: string, text: string, documents: Document[]): SourceFile {
  let lines: LineCounter | undefined;
  return {
    file,
    text,
    documents,
    get lineCounter(): LineCounter {
      if (!lines) {
        lines = new LineCounter();
        lines.addNewLine(0);
        for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
      }
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
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace, or undefined when the manifest leaves it to the context. */
  namespace: string | undefined;
  /** The object as plain data. */
  object: Record<string, unknown>;
}

export interface ParsedManifests {
  source: SourceFile;
  objects: ManifestDocument[];
  /** Documents that are not Kubernetes objects (no apiVersion/kind), e.g. values files or plain config. */
  skipped: number;
}

export interface ParseOptions {
  /** Largest accepted input in bytes (default 8 MiB). */
  maxBytes?: number;
  /** Most alias dereferences per document before it is rejected as an alias bomb (default 100). */
  maxAliasCount?: number;
}

export const DEFAULT_MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_ALIAS_COUNT = 100;

const HELP_HELM =
  'this looks like an unrendered Helm template: render it first, e.g. `helm template . | zerodrop lint -`';

/**
 * Parses manifest text (multi-document YAML, or JSON) into Kubernetes objects with their source kept for positions
 * and in-place edits. Throws ManifestError for input that cannot be read; never anything else for bad input.
 */
export function parseManifests(text: string, file: string, options: ParseOptions = {}): ParsedManifests {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  if (text.length > maxBytes) {
    throw new ManifestError(
      'ERR_ZERODROP_FILE_TOO_LARGE',
      file,
      { line: 1, column: 1 },
      `file is ${text.length} bytes, more than the ${maxBytes}-byte limit for one manifest file: split it`,
    );
  }
  // No LineCounter while parsing: positions are only needed for findings and errors, and come from the text.
  const documents = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false }) as Document[];
  const source = sourceFile(file, text, Array.isArray(documents) ? documents : []);
  const pos = (offset: number): SourcePosition => {
    const p = source.lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };

  for (const doc of source.documents) {
    const error = doc.errors[0];
    if (!error) continue;
    const helm = findHelmMarker(text);
    if (helm !== undefined) throw new ManifestError('ERR_ZERODROP_HELM_TEMPLATE', file, pos(helm), HELP_HELM);
    const first = error.message.split('\n')[0] ?? 'invalid YAML';
    throw new ManifestError('ERR_ZERODROP_YAML_SYNTAX', file, pos(error.pos[0]), `invalid YAML: ${stripAt(first)}`);
  }

  const objects: ManifestDocument[] = [];
  let skipped = 0;
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  source.documents.forEach((doc, documentIndex) => {
    let value: unknown;
    try {
      value = plainJS(doc.contents, text);
    } catch (slow) {
      if (!(slow instanceof NeedsYaml)) throw slow;
      if (slow.template !== undefined) {
        throw new ManifestError('ERR_ZERODROP_HELM_TEMPLATE', file, pos(slow.template), HELP_HELM);
      }
      value = SLOW;
    }
    if (value === SLOW) {
      const templated = findTemplateNode(doc.contents, text);
      if (templated !== undefined) {
        throw new ManifestError('ERR_ZERODROP_HELM_TEMPLATE', file, pos(templated), HELP_HELM);
      }
    }
    try {
      if (value === SLOW) value = doc.toJS({ maxAliasCount });
    } catch (error) {
      const at = doc.contents?.range?.[0] ?? 0;
      const message = error instanceof Error ? error.message : String(error);
      if (/alias/i.test(message)) {
        throw new ManifestError(
          'ERR_ZERODROP_ALIAS_BOMB',
          file,
          pos(at),
          `too many YAML alias expansions in this document (limit ${maxAliasCount}): expand the anchors by hand`,
        );
      }
      throw new ManifestError('ERR_ZERODROP_YAML_SYNTAX', file, pos(at), `invalid YAML: ${message}`);
    }
    if (value === null || value === undefined) return;
    if (!isKubernetesObject(value)) {
      skipped++;
      return;
    }
    if (value.kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item, i) => {
        if (isKubernetesObject(item)) objects.push(toObject(source, documentIndex, ['items', i], item));
        else skipped++;
      });
      return;
    }
    objects.push(toObject(source, documentIndex, [], value));
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
  value: KubernetesObjectLike,
): ManifestDocument {
  const metadata = asRecord(value.metadata);
  return {
    source,
    documentIndex,
    basePath,
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

/** A number, or a numeric string (manifests often quote numbers); undefined otherwise. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** A map of strings (labels, annotations, selectors): non-string values stringified, null entries dropped. */
export function asStringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(value))) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

/** Offset of a Helm/Go template action `{{` outside comments, if the text has one. */
function findHelmMarker(text: string): number | undefined {
  const re = /\{\{-?\s*[^}]*\}\}/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    if (!text.slice(lineStart, m.index).includes('#')) return m.index;
  }
  return undefined;
}

const SLOW = Symbol('slow');

/** Thrown by plainJS: the node needs yaml's own toJS, or (with `template`) an unrendered template action was met. */
class NeedsYaml {
  constructor(readonly template?: number) {}
}

const NEEDS_YAML = new NeedsYaml();

/**
 * The same plain data as yaml's `doc.toJS()`, for the nodes manifests are made of: maps with scalar keys, sequences
 * and scalars, without anchors, aliases, collection tags or `<<` keys (those throw NEEDS_YAML, and yaml converts the
 * document). Also finds unrendered template actions as findTemplateNode does, in the same order.
 */
function plainJS(node: unknown, text: string): unknown {
  if (node === null || node === undefined) return node;
  if (isScalar(node)) {
    const value = node.value;
    if (node.anchor !== undefined || (typeof value === 'object' && value !== null)) throw NEEDS_YAML;
    if (typeof value === 'symbol' || typeof value === 'function' || typeof value === 'bigint') throw NEEDS_YAML;
    return value;
  }
  if (isMap(node)) {
    const start = node.range?.[0];
    if (node.flow && start !== undefined && text.startsWith('{{', start)) throw new NeedsYaml(start);
    if (node.anchor !== undefined || node.tag !== undefined) throw NEEDS_YAML;
    const out: Record<string, unknown> = {};
    for (const { key, value } of node.items) {
      if (!isScalar(key) || key.anchor !== undefined) throw NEEDS_YAML;
      const k = key.value;
      if (k === '<<' || (typeof k === 'object' && k !== null) || typeof k === 'symbol' || typeof k === 'function') {
        throw NEEDS_YAML;
      }
      if (typeof k === 'bigint') throw NEEDS_YAML;
      const name = k === null ? '' : String(k);
      const v = plainJS(value, text);
      // As yaml does: a key already there (or inherited, like `constructor`) becomes an own data property.
      if (name in out)
        Object.defineProperty(out, name, { value: v, writable: true, enumerable: true, configurable: true });
      else out[name] = v;
    }
    return out;
  }
  if (isSeq(node)) {
    if (node.anchor !== undefined || node.tag !== undefined) throw NEEDS_YAML;
    const out: unknown[] = [];
    for (const item of node.items) {
      if (isPair(item)) throw NEEDS_YAML;
      out.push(plainJS(item, text));
    }
    return out;
  }
  throw NEEDS_YAML;
}

/**
 * `replicas: {{ .Values.n }}` is valid YAML (a flow map inside a flow map), so a template can parse cleanly:
 * a flow collection whose source starts with `{{` is an unrendered template action.
 */
function findTemplateNode(node: unknown, text: string): number | undefined {
  if (isCollection(node)) {
    const start = node.range?.[0];
    if (isMap(node) && node.flow && start !== undefined && text.startsWith('{{', start)) return start;
    for (const item of node.items) {
      const found = isPair(item)
        ? (findTemplateNode(item.key, text) ?? findTemplateNode(item.value, text))
        : findTemplateNode(item, text);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Where a walk along a path inside a yaml document ended. */
export interface PathWalk {
  /** The node reached (the value at `path` when `depth === path.length`). */
  node: unknown;
  /** The map key of the last step taken, when that step was a map step. */
  key: Node | undefined;
  /** What to point at for the last step taken: its map key, or its sequence item. */
  anchor: Node | undefined;
  /** How many steps of the path exist in the document. */
  depth: number;
}

/** Walks `path` (map keys and sequence indexes) inside a yaml document, as far as it is written. */
export function walkPath(doc: Document, path: YamlPath): PathWalk {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let anchor: Node | undefined = doc.contents ?? undefined;
  let depth = 0;
  for (const step of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      key = pair.key as Node;
      anchor = key;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' && step < node.items.length) {
      node = node.items[step];
      key = undefined;
      anchor = node as Node;
    } else break;
    depth++;
  }
  return { node, key, anchor, depth };
}

/**
 * Where `path` (relative to the object) is written; a missing field points at its nearest written parent, so a
 * finding about it still lands on the right line.
 */
export function positionOf(object: ManifestDocument, path: YamlPath = []): SourcePosition {
  const doc = object.source.documents[object.documentIndex];
  const offset = doc ? (walkPath(doc, [...object.basePath, ...path]).anchor?.range?.[0] ?? 0) : 0;
  const p = object.source.lineCounter.linePos(offset);
  return { line: p.line, column: p.col };
}

/** True when `path` (relative to the object) is written in the source. */
export function hasPath(object: ManifestDocument, path: YamlPath): boolean {
  const doc = object.source.documents[object.documentIndex];
  if (!doc) return false;
  const full = [...object.basePath, ...path];
  return walkPath(doc, full).depth === full.length;
}
