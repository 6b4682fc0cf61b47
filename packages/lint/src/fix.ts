import { walkPath } from '@zerodrop/core';
import { isCollection, isMap, isScalar, type Node, stringify } from 'yaml';
import { type LintResult, lintParsed, parseInputs } from './engine.js';
import type { Input } from './files.js';
import { RULES } from './registry.js';
import type { Edit, LintSettings, Rule } from './rule.js';

/** A text replacement: `text` replaces `[start, end)`; an insertion has start === end. */
interface Splice {
  start: number;
  end: number;
  text: string;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

function block(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  return stringify(value, { lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

function nest(path: readonly (string | number)[], value: unknown): unknown {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value);
}

/** Position right after the line that holds `offset - 1` (where a new sibling line goes). */
function afterLine(text: string, offset: number): { at: number; prefix: string } {
  if (text[offset - 1] === '\n') return { at: offset, prefix: '' };
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? { at: text.length, prefix: '\n' } : { at: nl + 1, prefix: '' };
}

/**
 * Turns a `set` edit into a text splice that touches only the edited value: an existing scalar is replaced in place,
 * a missing key is inserted as new lines under its parent map at the parent's indentation. Everything else in the
 * file (comments, quoting, key order, blank lines) stays byte for byte. Undefined when the edit cannot be made safely.
 */
function spliceForSet(edit: Extract<Edit, { op: 'set' }>, text: string): Splice | undefined {
  const doc = edit.object.source.documents[edit.object.documentIndex];
  if (!doc) return undefined;
  const full = [...edit.object.basePath, ...edit.path];
  const { node, key: keyNode, depth } = walkPath(doc, full);
  if (depth === full.length) {
    if (isScalar(node) && node.range) {
      const scalar = stringify(edit.value, { lineWidth: 0 }).trimEnd();
      if (scalar.includes('\n')) return undefined;
      return { start: node.range[0], end: node.range[1], text: scalar };
    }
    return undefined;
  }
  const rest = full.slice(depth);
  if (rest.some((step) => typeof step === 'number')) return undefined;
  const value = nest(rest, edit.value);
  if (isMap(node) && !node.flow && node.range && node.items.length > 0) {
    const firstKey = node.items[0]?.key as Node | undefined;
    if (!firstKey?.range) return undefined;
    const indent = columnOf(text, firstKey.range[0]);
    const { at, prefix } = afterLine(text, node.range[1]);
    return { start: at, end: at, text: `${prefix}${block(value, indent)}\n` };
  }
  if (isMap(node) && node.flow && node.range) {
    const merged = { ...(node.toJSON() as Record<string, unknown>), ...(value as Record<string, unknown>) };
    return { start: node.range[0], end: node.range[1], text: JSON.stringify(merged) };
  }
  // `key:` with nothing after it: put the block under the key.
  if ((node === null || (isScalar(node) && node.value === null)) && keyNode?.range) {
    const indent = columnOf(text, keyNode.range[0]) + 2;
    const at = isScalar(node) && node.range ? node.range[0] : keyNode.range[1] + 1;
    const end = isScalar(node) && node.range ? node.range[1] : at;
    return { start: at, end, text: `\n${block(value, indent)}` };
  }
  return undefined;
}

/**
 * Turns a `replace` edit into a splice over the written value only: a flow value is rewritten in flow style, a block
 * value as a block at its indentation. Keys around it and comments outside it stay byte for byte.
 */
function spliceForReplace(edit: Extract<Edit, { op: 'replace' }>, text: string): Splice | undefined {
  const doc = edit.object.source.documents[edit.object.documentIndex];
  if (!doc) return undefined;
  const full = [...edit.object.basePath, ...edit.path];
  const { node, depth } = walkPath(doc, full);
  if (depth !== full.length || !(isScalar(node) || isCollection(node)) || !node.range) return undefined;
  const [start, end] = node.range;
  if (isScalar(node) || node.flow) {
    const value = stringify(edit.value, { lineWidth: 0, collectionStyle: 'flow' }).trimEnd();
    return value.includes('\n') ? undefined : { start, end, text: value };
  }
  const indent = columnOf(text, start);
  const body = block(edit.value, indent).slice(indent);
  return { start, end, text: text[end - 1] === '\n' ? `${body}\n` : body };
}

function spliceFor(edit: Edit, text: string): Splice | undefined {
  if (edit.op === 'set') return spliceForSet(edit, text);
  if (edit.op === 'replace') return spliceForReplace(edit, text);
  const body = stringify(edit.value, { lineWidth: 0 });
  const prefix = text.length === 0 || text.endsWith('\n') ? '' : '\n';
  return { start: text.length, end: text.length, text: `${prefix}---\n${body}` };
}

function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.start - a.start))
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

const overlaps = (a: Splice, b: Splice) => a.start <= b.end && b.start <= a.end;

export interface FixOutcome {
  /** New text per changed file (files that failed to parse are never here). */
  changed: Map<string, string>;
  /** What was fixed, per file. */
  applied: Map<string, string[]>;
  /** Lint result of the fixed text: what is left. */
  remaining: LintResult;
}

/**
 * Applies every safe fix, re-linting after each pass (a fix can enable another, e.g. a longer preStop raises the
 * needed grace period) until nothing changes. A fix whose edits collide with another's waits for the next pass.
 */
export function fixInputs(
  inputs: readonly Input[],
  settings: LintSettings,
  rules: readonly Rule[] = RULES,
  maxPasses = 10,
): FixOutcome {
  const current = new Map(inputs.map((i) => [i.file, i]));
  const applied = new Map<string, string[]>();
  let result = lintParsed(parseInputs([...current.values()]), settings, rules);
  for (let pass = 0; pass < maxPasses; pass++) {
    const perFile = new Map<string, Splice[]>();
    const descriptions = new Map<string, string[]>();
    for (const finding of result.findings) {
      if (!finding.fix) continue;
      const text = current.get(finding.file)?.text;
      if (text === undefined) continue;
      const accepted = perFile.get(finding.file) ?? [];
      const splices = finding.fix.edits.map((e) => spliceFor(e, text));
      if (splices.some((s) => s === undefined)) continue;
      const ok = splices as Splice[];
      if (ok.some((s) => accepted.some((a) => overlaps(a, s)))) continue;
      perFile.set(finding.file, [...accepted, ...ok]);
      descriptions.set(finding.file, [
        ...(descriptions.get(finding.file) ?? []),
        `${finding.rule}: ${finding.fix.description}`,
      ]);
    }
    if (perFile.size === 0) break;
    for (const [file, splices] of perFile) {
      const input = current.get(file)!;
      current.set(file, { ...input, text: applySplices(input.text, splices) });
      applied.set(file, [...(applied.get(file) ?? []), ...(descriptions.get(file) ?? [])]);
    }
    result = lintParsed(parseInputs([...current.values()]), settings, rules);
  }
  const changed = new Map<string, string>();
  for (const input of inputs) {
    const text = current.get(input.file)?.text;
    if (text !== undefined && text !== input.text) changed.set(input.file, text);
  }
  return { changed, applied, remaining: result };
}

/** A unified diff of one file's change, for `fix --dry-run`. */
export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  // Both texts usually end in a newline: compare lines, not the empty string after the last one.
  const lines = (t: string) => (t.endsWith('\n') ? t.slice(0, -1) : t).split('\n');
  const a = lines(before);
  const b = lines(after);
  // Longest common subsequence over lines: manifests are small, so the quadratic table is fine.
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: { type: ' ' | '-' | '+'; line: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ type: ' ', line: a[i]!, ai: i + 1, bi: j + 1 });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({ type: '+', line: b[j]!, ai: i, bi: j + 1 });
      j++;
    } else {
      ops.push({ type: '-', line: a[i]!, ai: i + 1, bi: j });
      i++;
    }
  }
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
