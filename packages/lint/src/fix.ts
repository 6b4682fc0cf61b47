import {
  type ManifestDocument,
  ManifestError,
  readYamlValues,
  type SourceFile,
  walkPath,
  type YamlPath,
  yamlDocumentOf,
} from '@zerodrop/core';
import {
  type Document,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  type Node,
  parseAllDocuments,
  stringify,
  visit,
} from 'yaml';
import {
  FIELD_TYPE_ERROR,
  INTERNAL_ERROR,
  type InputProblem,
  type LintResult,
  lintParsed,
  objectOfFinding,
  type ParsedInputs,
  parseInputs,
} from './engine.js';
import type { Input } from './files.js';
import { RULES } from './registry.js';
import type { Edit, Finding, Fix, LintSettings, Rule } from './rule.js';

/** A text replacement: `text` replaces `[start, end)`; an insertion has start === end. */
interface Splice {
  start: number;
  end: number;
  text: string;
  /** Among insertions at the same offset, deeper ones (larger indentation) go first. */
  depth: number;
}

/** New keys for one map: merged with the other edits that add keys to the same map, then written once. */
interface Insertion {
  /** The map (or the key whose value is empty) the keys go into. */
  target: object;
  value: Record<string, unknown>;
  render: (value: Record<string, unknown>) => Splice;
}

/** What one fix turns into, before it is combined with the other fixes of the pass. */
interface PlannedFix {
  splices: Splice[];
  insertions: Insertion[];
  appends: Record<string, unknown>[];
  /** Paths (in their yaml document) the fix means to change: only they may differ afterwards. */
  edited: { document: number; path: YamlPath }[];
  /** Source ranges a fix replaces: comments and anchors inside them may go. */
  replaced: [number, number][];
}

const YAML_OPTIONS = { lineWidth: 0 } as const;

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** `value` as block YAML, every line indented by `indent`. */
function block(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  return stringify(value, YAML_OPTIONS)
    .trimEnd()
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

/** `value` as one line of flow YAML, or undefined when it needs several (a multi-line string). */
function flow(value: unknown): string | undefined {
  const text = stringify(value, { ...YAML_OPTIONS, collectionStyle: 'flow' }).trimEnd();
  return text.includes('\n') ? undefined : text;
}

function nest(path: readonly (string | number)[], value: unknown): unknown {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value);
}

/** A copy of plain data (aliases in it become separate copies). */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: clone(v), writable: true, enumerable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** Sets `value` at `path` inside plain data, creating maps on the way; false when a list or scalar is in the way. */
function setIn(root: unknown, path: YamlPath, value: unknown): boolean {
  let node = root as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const step = path[i]!;
    let next = node[step];
    if (next === undefined || next === null) {
      if (typeof path[i + 1] === 'number') return false;
      next = {};
      node[step] = next;
    }
    if (typeof next !== 'object') return false;
    node = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (last === undefined) return false;
  node[last] = value;
  return true;
}

function getIn(root: unknown, path: YamlPath): unknown {
  let node = root;
  for (const step of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[step];
  }
  return node;
}

/** Adds `add` into `into`; false when both set the same leaf to different values. */
function deepMerge(into: Record<string, unknown>, add: Record<string, unknown>): boolean {
  for (const [k, v] of Object.entries(add)) {
    const have = into[k];
    if (have === undefined) into[k] = v;
    else if (isPlainMap(have) && isPlainMap(v)) {
      if (!deepMerge(have, v)) return false;
    } else if (!sameValue(have, v)) return false;
  }
  return true;
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isPlainMap(a) && isPlainMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
}

/** `offset` moved back over the spaces before it. */
function trimmedStart(text: string, offset: number): number {
  let from = offset;
  while (from > 0 && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  return from;
}

/** Position right after the line that holds `offset - 1` (where a new sibling line goes). */
function afterLine(text: string, offset: number): { at: number; prefix: string } {
  if (text[offset - 1] === '\n') return { at: offset, prefix: '' };
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? { at: text.length, prefix: '\n' } : { at: nl + 1, prefix: '' };
}

/** A fix that cannot be made safely, with why. */
class Refusal {
  constructor(readonly reason: string) {}
}

const anchorsCache = new WeakMap<Document, Set<string>>();

/** Anchors used by an alias somewhere in the document: editing such a node would change its other uses too. */
function referencedAnchors(doc: Document): Set<string> {
  let names = anchorsCache.get(doc);
  if (!names) {
    const found = new Set<string>();
    visit(doc, {
      Alias(_key, node) {
        found.add(node.source);
      },
    });
    anchorsCache.set(doc, found);
    names = found;
  }
  return names;
}

function pathText(path: YamlPath): string {
  return path
    .map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))
    .join('')
    .replace(/^\./, '');
}

/**
 * Where `value` goes when it replaces the node `site` (an alias, or a written value): inline when the site is in a
 * flow collection or the value is a scalar; as a block under its key (or after `- `) otherwise.
 */
function renderAtSite(
  text: string,
  site: Node,
  parent: unknown,
  key: Node | undefined,
  value: unknown,
  depth: number,
): Splice {
  const [start, end] = site.range as [number, number, number];
  const inFlow = isCollection(parent) && parent.flow === true;
  const scalar = typeof value !== 'object' || value === null;
  const isBlockCollection = isCollection(site) && !site.flow;
  if (inFlow || scalar || (isCollection(site) && site.flow)) {
    const inline = flow(value);
    if (inline === undefined) throw new Refusal('the new value does not fit on one line here');
    return { start, end, text: inline, depth };
  }
  if (isBlockCollection) {
    // A block value already starts on its own line (or after `- `): rewrite it at its column.
    const column = columnOf(text, start);
    const body = block(value, column).slice(column);
    return { start, end, text: text[end - 1] === '\n' ? `${body}\n` : body, depth };
  }
  if (isSeq(parent) && !key) {
    const column = columnOf(text, start);
    return { start, end, text: block(value, column).slice(column), depth };
  }
  if (key?.range) {
    // `key: *alias` becomes `key:` and the block below it, without a space left at the end of the key's line.
    const indent = columnOf(text, key.range[0]) + 2;
    return { start: trimmedStart(text, start), end, text: `\n${block(value, indent)}`, depth };
  }
  throw new Refusal('the value sits where a block cannot be written');
}

/** Turns one `set` or `replace` edit into splices or insertions, or refuses it with a reason. */
function planEdit(edit: Exclude<Edit, { op: 'append' }>, text: string, plan: PlannedFix): void {
  const object = edit.object;
  const doc = yamlDocumentOf(object.source, object.documentIndex);
  if (!doc) throw new Refusal('its YAML document does not read back as one clean document');
  const full = [...object.basePath, ...edit.path];
  const walk = walkPath(doc, full);
  const anchors = referencedAnchors(doc);
  const shown = pathText(edit.path);
  const anchored = (node: unknown) =>
    typeof node === 'object' &&
    node !== null &&
    (node as Node).anchor !== undefined &&
    anchors.has((node as Node).anchor!)
      ? (node as Node).anchor
      : undefined;
  plan.edited.push({ document: object.documentIndex, path: full });

  // Going through an alias: the edit is made on a copy written at the alias, never on the anchored value.
  if (walk.aliasStep !== undefined) {
    const step = walk.aliasStep;
    const siteDepth = step + 1;
    if (step < 0 || siteDepth <= object.basePath.length)
      throw new Refusal(`${shown} is reached through an alias at the top of the object`);
    for (let i = -1; i < step; i++) {
      const name = anchored(i < 0 ? doc.contents : walk.steps[i]!.node);
      if (name) throw new Refusal(`${shown} is inside the anchored value &${name}, which an alias also uses`);
    }
    const site = walk.steps[step]!;
    const parent = step === 0 ? doc.contents : walk.steps[step - 1]!.node;
    const sitePath = full.slice(object.basePath.length, siteDepth);
    const copy = clone(getIn(object.object, sitePath));
    const rest = full.slice(siteDepth);
    const next = rest.length === 0 ? clone(edit.value) : copy;
    if (rest.length > 0 && (!isPlainMap(copy) || !setIn(copy, rest, clone(edit.value))))
      throw new Refusal(
        `${shown} cannot be set inside the value of the alias *${(site.node as { source: string }).source}`,
      );
    plan.splices.push(renderAtSite(text, site.node as Node, parent, site.key, next, siteDepth));
    return;
  }
  for (let i = -1; i < walk.steps.length; i++) {
    const name = anchored(i < 0 ? doc.contents : walk.steps[i]!.node);
    if (name) throw new Refusal(`${shown} is inside the anchored value &${name}, which an alias also uses`);
  }

  const node = walk.node;
  if (walk.depth === full.length) {
    if (!isScalar(node) && !isCollection(node)) throw new Refusal(`${shown} has no value to replace`);
    if (edit.op === 'set' && isScalar(node) && (typeof edit.value !== 'object' || edit.value === null)) {
      const scalar = flow(edit.value);
      if (scalar === undefined || !node.range) throw new Refusal(`${shown} cannot be written on one line`);
      plan.splices.push({ start: node.range[0], end: node.range[1], text: scalar, depth: full.length });
      return;
    }
    if (!node.range) throw new Refusal(`${shown} has no place in the text`);
    const parent = walk.steps.length >= 2 ? walk.steps[walk.steps.length - 2]!.node : doc.contents;
    const splice = renderAtSite(text, node as Node, parent, walk.key, edit.value, full.length);
    plan.replaced.push([splice.start, splice.end]);
    plan.splices.push(splice);
    return;
  }
  if (edit.op === 'replace') throw new Refusal(`${shown} is not written, so there is nothing to replace`);

  const rest = full.slice(walk.depth);
  if (rest.some((step) => typeof step === 'number'))
    throw new Refusal(`${shown} needs a list item that is not written`);
  const value = nest(rest.slice(1), edit.value);
  const entry = { [rest[0] as string]: value };
  const depth = walk.depth + 1;
  if (isMap(node) && node.range) {
    if (node.flow) {
      const map = node;
      const last = map.items[map.items.length - 1];
      const lastEnd = last
        ? ((last.value as Node | null)?.range?.[1] ?? (last.key as Node | null)?.range?.[1])
        : undefined;
      const open = text.indexOf('{', map.range![0]);
      plan.insertions.push({
        target: map,
        value: entry,
        render: (v) => {
          const inner = flow(v)
            ?.replace(/^\{\s*/, '')
            .replace(/\s*\}$/, '');
          if (inner === undefined) throw new Refusal(`${shown} cannot be written inside a flow map on one line`);
          return lastEnd === undefined
            ? { start: open + 1, end: open + 1, text: inner, depth }
            : { start: lastEnd, end: lastEnd, text: `, ${inner}`, depth };
        },
      });
      return;
    }
    const firstKey = node.items[0]?.key as Node | undefined;
    if (!firstKey?.range) throw new Refusal(`${shown}: its map has no written key to align with`);
    const indent = columnOf(text, firstKey.range[0]);
    const { at, prefix } = afterLine(text, node.range[1]);
    plan.insertions.push({
      target: node,
      value: entry,
      render: (v) => ({ start: at, end: at, text: `${prefix}${block(v, indent)}\n`, depth: indent }),
    });
    return;
  }
  // `key:` with nothing after it (or `key: null`): the block goes under the key.
  const keyNode = walk.key;
  if ((node === null || node === undefined || (isScalar(node) && node.value === null)) && keyNode?.range) {
    const indent = columnOf(text, keyNode.range[0]) + 2;
    const written = isScalar(node) && node.range && node.range[1] > node.range[0] ? node.range : undefined;
    const lineEnd = text.indexOf('\n', keyNode.range[1]);
    // `key: null` becomes `key:` and the block below it, without a space left at the end of the key's line.
    const at = written ? trimmedStart(text, written[0]) : lineEnd === -1 ? text.length : lineEnd;
    const end = written ? written[1] : at;
    plan.insertions.push({
      target: keyNode,
      value: entry,
      render: (v) => ({ start: at, end, text: `\n${block(v, indent)}`, depth: indent }),
    });
    return;
  }
  throw new Refusal(`${pathText(full.slice(object.basePath.length, walk.depth)) || 'the object'} is not a map`);
}

function planFix(fix: Fix, text: string): PlannedFix | Refusal {
  const plan: PlannedFix = { splices: [], insertions: [], appends: [], edited: [], replaced: [] };
  try {
    for (const edit of fix.edits) {
      if (edit.op === 'append') plan.appends.push(edit.value);
      else planEdit(edit, text, plan);
    }
  } catch (error) {
    if (error instanceof Refusal) return error;
    throw error;
  }
  return plan;
}

const inside = (p: number, s: Splice) => s.start <= p && p < s.end;
const overlaps = (a: Splice, b: Splice) =>
  (a.start < b.end && b.start < a.end) ||
  (a.start === a.end && inside(a.start, b)) ||
  (b.start === b.end && inside(b.start, a));

/** The fixes of one file in one pass, combined: insertions into the same map merged, appends joined, no overlaps. */
class Combination {
  readonly splices: Splice[] = [];
  readonly insertions = new Map<object, Insertion>();
  readonly appends: Record<string, unknown>[] = [];
  readonly accepted: { fix: Fix; finding: Finding; plan: PlannedFix }[] = [];

  /** Adds a fix when it does not collide with those already in; false (nothing added) when it does. */
  add(finding: Finding, fix: Fix, plan: PlannedFix): boolean {
    for (const s of plan.splices) if (this.splices.some((t) => overlaps(s, t))) return false;
    const merged = new Map<object, Record<string, unknown>>();
    for (const ins of plan.insertions) {
      const base =
        merged.get(ins.target) ?? (clone(this.insertions.get(ins.target)?.value ?? {}) as Record<string, unknown>);
      if (!deepMerge(base, clone(ins.value) as Record<string, unknown>)) return false;
      merged.set(ins.target, base);
    }
    this.splices.push(...plan.splices);
    for (const ins of plan.insertions) {
      const value = merged.get(ins.target)!;
      this.insertions.set(ins.target, { ...ins, value });
    }
    this.appends.push(...plan.appends);
    this.accepted.push({ fix, finding, plan });
    return true;
  }

  /** The new text, or a Refusal when the pieces cannot be written together. */
  apply(text: string): string {
    const pieces = [...this.splices];
    for (const ins of this.insertions.values()) pieces.push(ins.render(ins.value));
    if (this.appends.length > 0) {
      const prefix = text.length === 0 || text.endsWith('\n') ? '' : '\n';
      const docs = this.appends.map((v) => `---\n${stringify(v, YAML_OPTIONS)}`).join('');
      pieces.push({ start: text.length, end: text.length, text: `${prefix}${docs}`, depth: -1 });
    }
    pieces.sort(
      (a, b) => a.start - b.start || (a.start === a.end ? 0 : 1) - (b.start === b.end ? 0 : 1) || b.depth - a.depth,
    );
    const out: string[] = [];
    let at = 0;
    for (const p of pieces) {
      // Sorted by start: a piece that starts before the end of the previous one would overwrite it.
      if (p.start < at) throw new Refusal('two edits touch the same place');
      out.push(text.slice(at, p.start), p.text);
      at = p.end;
    }
    out.push(text.slice(at));
    return out.join('');
  }
}

/** Comments (`# ...`) and anchors (`&name`) of a YAML text, as the lexer finds them, with their counts. */
function commentsAndAnchors(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of new Lexer().lex(text)) {
    if (token[0] !== '#' && token[0] !== '&') continue;
    const key = token.trimEnd();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function duplicateKeyErrors(text: string): { duplicates: number; other: string | undefined } {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  let duplicates = 0;
  let other: string | undefined;
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    for (const error of doc.errors) {
      if (error.code === 'DUPLICATE_KEY') duplicates++;
      // The position would be one in the text not written: the message alone says what breaks.
      else other ??= error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
    }
  }
  return { duplicates, other };
}

/**
 * Why the text a fix would write is not acceptable, or undefined when it is: it must parse as strictly as the
 * original (no new duplicate key), keep every value the fixes did not mean to change (aliases and merges resolved),
 * gain only the appended documents, and keep every comment and anchor outside the values it replaced.
 */
function rejectionOf(before: string, after: string, file: string, plans: PlannedFix[]): string | undefined {
  const strictBefore = duplicateKeyErrors(before);
  const strictAfter = duplicateKeyErrors(after);
  if (strictAfter.other) return `the result would not parse: ${strictAfter.other}`;
  if (strictAfter.duplicates > strictBefore.duplicates) return 'the result would have a duplicate key';
  let old: unknown[];
  let now: unknown[];
  try {
    old = readYamlValues(before, file);
    now = readYamlValues(after, file);
  } catch (error) {
    return `the result would not read back: ${error instanceof ManifestError ? error.message : String(error)}`;
  }
  const appended = plans.reduce((n, p) => n + p.appends.length, 0);
  if (now.length !== old.length + appended) return 'the result would have a different number of documents';
  const edited = new Map<number, YamlPath[]>();
  for (const p of plans) for (const e of p.edited) edited.set(e.document, [...(edited.get(e.document) ?? []), e.path]);
  for (let i = 0; i < old.length; i++) {
    const lost = lostValue(old[i], now[i], [], edited.get(i) ?? []);
    if (lost) return `the result would change ${lost}, which no fix meant to change`;
  }
  const was = commentsAndAnchors(before);
  const is = commentsAndAnchors(after);
  const replacedText = plans.flatMap((p) => p.replaced.map(([s, e]) => before.slice(s, e)));
  for (const [token, count] of was) {
    if ((is.get(token) ?? 0) >= count) continue;
    if (replacedText.some((t) => t.includes(token))) continue;
    return `the result would lose ${token[0] === '#' ? 'the comment' : 'the anchor'} ${token.slice(0, 60)}`;
  }
  return undefined;
}

const startsWith = (path: YamlPath, prefix: YamlPath) =>
  prefix.length <= path.length && prefix.every((s, i) => String(s) === String(path[i]));

/** The first path where `now` differs from `old` outside the edited paths, as text; undefined when none does. */
function lostValue(old: unknown, now: unknown, at: YamlPath, edited: YamlPath[]): string | undefined {
  if (edited.some((p) => startsWith(at, p))) return undefined;
  const onEditedRoute = edited.some((p) => startsWith(p, at));
  if (!onEditedRoute) return sameValue(old, now) ? undefined : pathText(at) || 'the document';
  if (Array.isArray(old)) {
    if (!Array.isArray(now) || now.length !== old.length) return pathText(at) || 'the document';
    for (let i = 0; i < old.length; i++) {
      const lost = lostValue(old[i], now[i], [...at, i], edited);
      if (lost) return lost;
    }
    return undefined;
  }
  if (isPlainMap(old)) {
    if (!isPlainMap(now)) return pathText(at) || 'the document';
    for (const k of Object.keys(old)) {
      const lost = lostValue(old[k], Object.hasOwn(now, k) ? now[k] : undefined, [...at, k], edited);
      if (lost) return lost;
    }
    for (const k of Object.keys(now)) {
      if (!Object.hasOwn(old, k) && !edited.some((p) => startsWith(p, [...at, k]) || startsWith([...at, k], p)))
        return pathText([...at, k]);
    }
    return undefined;
  }
  // A scalar (or nothing) where an edit adds a map below: only the edited paths change.
  if (old === null || old === undefined) {
    if (!isPlainMap(now)) return now === old ? undefined : pathText(at);
    for (const k of Object.keys(now))
      if (!edited.some((p) => startsWith(p, [...at, k]) || startsWith([...at, k], p))) return pathText([...at, k]);
    return undefined;
  }
  return sameValue(old, now) ? undefined : pathText(at);
}

export interface FixOutcome {
  /** New text per changed file (files that failed to parse are never here). */
  changed: Map<string, string>;
  /** What was fixed, per file. */
  applied: Map<string, string[]>;
  /** Fixes that were not applied, with why (an alias, an anchored value, a result that would not parse...). */
  refused: Map<string, string[]>;
  /** False when fixes were still pending after the last pass (a second run would change more). */
  settled: boolean;
  /** Problems of the inputs as read, before any fix (positions in the files as they are on disk). */
  problems: InputProblem[];
  /** Lint result of the fixed text: what is left. */
  remaining: LintResult;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

/** What a fix writes where, as text: the same key on a later pass is the same fix again. */
function editsKey(fix: Fix): string {
  return JSON.stringify(
    fix.edits.map((e) =>
      e.op === 'append'
        ? [e.op, e.value]
        : [e.op, e.object.documentIndex, e.object.basePath, e.object.kind, e.object.name, e.path, e.value],
    ),
  );
}

/** The one file a fix edits, or undefined when its edits span files. */
function fileOf(fix: Fix): SourceFile | undefined {
  const sources = new Set(fix.edits.map((e) => (e.op === 'append' ? e.source : e.object.source)));
  return sources.size === 1 ? [...sources][0] : undefined;
}

/** The objects a fix is about: the one reported on, and those its edits change. */
function objectsOf(finding: Finding, fix: Fix): ManifestDocument[] {
  const reported = objectOfFinding(finding);
  return [...(reported ? [reported] : []), ...fix.edits.flatMap((e) => (e.op === 'append' ? [] : [e.object]))];
}

/**
 * Applies the safe fixes of one file for one pass: every fix that does not collide with an earlier one, as long as
 * the result passes rejectionOf; when the combination does not, each fix is tried alone and only the good ones
 * (together, or the first alone) are kept. Returns the new text and what was applied, or undefined.
 */
function fixFile(
  file: string,
  text: string,
  fixes: { finding: Finding; fix: Fix }[],
  refused: Map<string, string[]>,
): { text: string; applied: { finding: Finding; fix: Fix }[]; pending: boolean } | undefined {
  const describe = (f: { finding: Finding; fix: Fix }) => `${f.finding.rule}: ${f.fix.description}`;
  const plans: { finding: Finding; fix: Fix; plan: PlannedFix }[] = [];
  for (const f of fixes) {
    const plan = planFix(f.fix, text);
    if (plan instanceof Refusal) push(refused, file, `${describe(f)}: not applied, ${plan.reason}`);
    else plans.push({ ...f, plan });
  }
  const attempt = (chosen: typeof plans) => {
    const combination = new Combination();
    const left: typeof plans = [];
    for (const p of chosen) if (!combination.add(p.finding, p.fix, p.plan)) left.push(p);
    if (combination.accepted.length === 0) return undefined;
    let after: string;
    try {
      after = combination.apply(text);
    } catch (error) {
      if (error instanceof Refusal) return { rejection: error.reason, combination, left, after: text };
      throw error;
    }
    const rejection = rejectionOf(
      text,
      after,
      file,
      combination.accepted.map((a) => a.plan),
    );
    return { rejection, combination, left, after };
  };
  const all = attempt(plans);
  if (!all) return undefined;
  if (!all.rejection) {
    return { text: all.after, applied: all.combination.accepted, pending: all.left.length > 0 };
  }
  // Something in the combination is not safe: find the fixes that are safe alone.
  const good: typeof plans = [];
  for (const p of all.combination.accepted) {
    const alone = attempt([p]);
    if (alone && !alone.rejection) good.push(p);
    else push(refused, file, `${describe(p)}: not applied, ${alone?.rejection ?? 'it cannot be written'}`);
  }
  const pending = all.left.length > 0 || good.length > 1;
  if (good.length === 0) return all.left.length > 0 ? { text, applied: [], pending: true } : undefined;
  const together = attempt(good);
  if (together && !together.rejection) return { text: together.after, applied: together.combination.accepted, pending };
  const first = attempt([good[0]!])!;
  return { text: first.after, applied: [good[0]!], pending: true };
}

/**
 * Applies every safe fix, re-linting after each pass (a fix can enable another, e.g. a longer preStop raises the
 * needed grace period) until nothing changes. Fixes that collide with another's edits wait for the next pass; a fix
 * that cannot be made safely is refused with its reason, and the file keeps its text.
 */
export function fixInputs(
  inputs: readonly Input[],
  settings: LintSettings,
  rules: readonly Rule[] = RULES,
  maxPasses = 25,
): FixOutcome {
  const current = new Map(inputs.map((i) => [i.file, i]));
  const applied = new Map<string, string[]>();
  const refused = new Map<string, string[]>();
  let parsed: ParsedInputs = parseInputs([...current.values()]);
  let result = lintParsed(parsed, settings, rules);
  const problems = result.problems;
  let settled = false;
  // Each fix (rule and edits) once: a finding that comes back after its fix was applied would be fixed again on every
  // pass (and on every run), so the same fix is refused the second time.
  const done = new Set<string>();
  for (let pass = 0; pass < maxPasses; pass++) {
    const perFile = new Map<string, { finding: Finding; fix: Fix; key: string }[]>();
    // A file with a document that does not parse is never written, whatever the rest of it says.
    const unreadable = new Set(
      parsed.problems.filter((p) => p.code !== FIELD_TYPE_ERROR && p.code !== INTERNAL_ERROR).map((p) => p.file),
    );
    for (const finding of result.findings) {
      const fix = finding.fix;
      if (!fix) continue;
      const source = fileOf(fix);
      const label = `${finding.rule}: ${fix.description}`;
      if (!source) {
        push(refused, finding.file, `${label}: not applied, its edits span several files`);
        continue;
      }
      const input = current.get(source.file);
      if (!input) continue;
      if (unreadable.has(source.file)) {
        push(refused, source.file, `${label}: not applied, part of the file could not be read`);
        continue;
      }
      if (input.encoding === 'utf8-invalid') {
        push(refused, source.file, `${label}: not applied, the file is not valid UTF-8 and is never rewritten`);
        continue;
      }
      if (objectsOf(finding, fix).some((o) => parsed.mistyped.has(o))) {
        push(refused, source.file, `${label}: not applied, the object has a field of a type Kubernetes rejects`);
        continue;
      }
      const key = `${finding.rule}\u0000${source.file}\u0000${editsKey(fix)}`;
      if (done.has(key)) {
        push(refused, source.file, `${label}: not applied again, the finding was still there after it was applied`);
        continue;
      }
      const list = perFile.get(source.file);
      if (list) list.push({ finding, fix, key });
      else perFile.set(source.file, [{ finding, fix, key }]);
    }
    let changedAny = false;
    let pending = false;
    for (const [file, fixes] of perFile) {
      const input = current.get(file)!;
      const outcome = fixFile(file, input.text, fixes, refused);
      if (!outcome) continue;
      pending ||= outcome.pending;
      if (outcome.text === input.text) continue;
      changedAny = true;
      current.set(file, { ...input, text: outcome.text });
      for (const a of outcome.applied) push(applied, file, `${a.finding.rule}: ${a.fix.description}`);
      for (const f of fixes) if (outcome.applied.some((a) => a.fix === f.fix)) done.add(f.key);
    }
    if (!changedAny) {
      settled = !pending;
      break;
    }
    parsed = parseInputs([...current.values()]);
    result = lintParsed(parsed, settings, rules);
  }
  const changed = new Map<string, string>();
  for (const input of inputs) {
    const text = current.get(input.file)?.text;
    if (text !== undefined && text !== input.text) changed.set(input.file, text);
  }
  return { changed, applied, refused, settled, problems, remaining: result };
}

/** Lines that differ, found by the longest common subsequence when small, by resynchronising otherwise. */
function diffOps(a: string[], b: string[]): { type: ' ' | '-' | '+'; line: string; ai: number; bi: number }[] {
  const ops: { type: ' ' | '-' | '+'; line: string; ai: number; bi: number }[] = [];
  // Lines alike at both ends are context, whatever the size.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  for (let k = 0; k < head; k++) ops.push({ type: ' ', line: a[k]!, ai: k + 1, bi: k + 1 });
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  const A = (i: number) => a[head + i]!;
  const B = (j: number) => b[head + j]!;
  const keep = (i: number, j: number) => ops.push({ type: ' ', line: A(i), ai: head + i + 1, bi: head + j + 1 });
  const del = (i: number, j: number) => ops.push({ type: '-', line: A(i), ai: head + i + 1, bi: head + j });
  const add = (i: number, j: number) => ops.push({ type: '+', line: B(j), ai: head + i, bi: head + j + 1 });
  if (n * m <= 4_000_000) {
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        lcs[i]![j] = A(i) === B(j) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && A(i) === B(j)) keep(i++, j++);
      // On a tie the old line goes first, as diff(1) prints a change: `-` lines, then `+` lines.
      else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) del(i++, j);
      else add(i, j++);
    }
  } else {
    // Large texts (a fix over a whole `helm template` stream): edits are local, so after a difference the next
    // pair of equal lines (two in a row) within a window resynchronises both sides. Linear in practice.
    const WINDOW = 200;
    const syncs = (i: number, j: number) => A(i) === B(j) && (i + 1 >= n || j + 1 >= m || A(i + 1) === B(j + 1));
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && A(i) === B(j)) {
        keep(i++, j++);
        continue;
      }
      let found: [number, number] | undefined;
      for (let k = 1; k <= 2 * WINDOW && !found; k++)
        for (let di = 0; di <= Math.min(k, WINDOW) && !found; di++) {
          const dj = k - di;
          if (dj > WINDOW || i + di >= n || j + dj >= m) continue;
          if (syncs(i + di, j + dj)) found = [i + di, j + dj];
        }
      const [ti, tj] = found ?? [n, m];
      while (i < ti) del(i++, j);
      while (j < tj) add(i, j++);
    }
  }
  for (let k = tail; k > 0; k--)
    ops.push({ type: ' ', line: a[a.length - k]!, ai: a.length - k + 1, bi: b.length - k + 1 });
  return ops;
}

/** A unified diff of one file's change, for `fix --dry-run`. */
export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  // Both texts usually end in a newline: compare lines, not the empty string after the last one.
  const lines = (t: string) => (t.endsWith('\n') ? t.slice(0, -1) : t).split('\n');
  const ops = diffOps(lines(before), lines(after));
  const out = [`--- a/${file}`, `+++ b/${file}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.type === ' ') {
      k++;
      continue;
    }
    const start = Math.max(0, k - context);
    let end = k;
    while (end < ops.length) {
      if (ops[end]!.type !== ' ') {
        end++;
        continue;
      }
      let run = end;
      while (run < ops.length && ops[run]!.type === ' ') run++;
      if (run === ops.length || run - end > context * 2) {
        end = Math.min(ops.length, end + context);
        break;
      }
      end = run;
    }
    const hunk = ops.slice(start, end);
    // A side with no lines in the hunk names the line before it, as diff(1) does.
    const aStart = hunk.find((o) => o.type !== '+')?.ai ?? hunk[0]?.ai ?? 0;
    const bStart = hunk.find((o) => o.type !== '-')?.bi ?? hunk[0]?.bi ?? 0;
    const aLen = hunk.filter((o) => o.type !== '+').length;
    const bLen = hunk.filter((o) => o.type !== '-').length;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const o of hunk) out.push(`${o.type}${o.line}`);
    k = end;
  }
  return `${out.join('\n')}\n`;
}
