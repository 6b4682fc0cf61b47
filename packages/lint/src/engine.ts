import {
  buildWorkloadSet,
  type Container,
  checkFieldTypes,
  computeTimeline,
  type Dockerfile,
  detached,
  displayValue,
  type LoadBalancerProfile,
  type ManifestDocument,
  ManifestError,
  modelReadsData,
  type ParsedManifests,
  type PodDisruptionBudget,
  parseDockerfile,
  parseManifests,
  positionOf,
  profileOf,
  terminationOf,
  type Workload,
  type WorkloadSet,
} from '@zerodrop/core';
import type { Input } from './files.js';
import { RULES } from './registry.js';
import {
  type Finding,
  type Fix,
  type LintSettings,
  milder,
  type Report,
  type Rule,
  type RuleContext,
  type Severity,
} from './rule.js';

/** The per-object annotation that turns rules off: `zerodrop.dev/ignore: "rule-a,rule-b"` (or `all`). */
export const IGNORE_ANNOTATION = 'zerodrop.dev/ignore';

/**
 * Something that kept part of the input from being checked, with its place: a file that cannot be read or parsed, a
 * field of a type Kubernetes rejects, or a rule that failed on one object (a bug in zerodrop). Everything else is
 * still checked.
 */
export interface InputProblem {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

/** A rule or the model failed on one object: zerodrop's bug, reported like an input problem, never a crash. */
export const INTERNAL_ERROR = 'ERR_ZERODROP_INTERNAL';
/** A field holds a value of a type Kubernetes rejects (`path: 8080`). */
export const FIELD_TYPE_ERROR = 'ERR_ZERODROP_FIELD_TYPE';

export interface ParsedInputs {
  manifests: ParsedManifests[];
  dockerfiles: Dockerfile[];
  problems: InputProblem[];
  /** Objects with a field of the wrong type: linted as read, but never edited by a fix. */
  mistyped: Set<ManifestDocument>;
}

export interface LintResult {
  findings: Finding[];
  problems: InputProblem[];
  summary: {
    files: number;
    objects: number;
    workloads: number;
    dockerfiles: number;
    /** Documents that are not Kubernetes objects. */
    skippedDocuments: number;
    /** Kubernetes objects of kinds no rule looks at, counted by kind (`DeploymentConfig: 1`). */
    skippedKinds: Record<string, number>;
    errors: number;
    warnings: number;
    infos: number;
    fixable: number;
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return displayValue(error);
}

function internalProblem(file: string, at: { line: number; column: number }, what: string, error: unknown) {
  return {
    file,
    ...at,
    code: INTERNAL_ERROR,
    message: `internal error ${what}: ${errorText(error)}. Everything else was checked; this is a bug in zerodrop, please report it with this input`,
  };
}

/** "Deployment shop/web" for an object. */
function objectName(object: ManifestDocument): string {
  return `${object.kind} ${object.namespace ?? 'default'}/${object.name || '(unnamed)'}`;
}

/** The plain data of an object nobody reads (see parseInputs). */
const NO_DATA: Record<string, unknown> = Object.freeze({});

/**
 * Parses every input; a file that fails becomes an InputProblem and the rest go on. Fields of a type Kubernetes
 * rejects become problems too, and read as what they plainly mean (or as not written). With `keepText: false` a
 * manifest's text is let go once parsed (see ParseOptions), and so is the plain data of every object the model never
 * reads (RBAC, ConfigMaps, Secrets, ...: see modelReadsData) once its field types are checked: the result reports,
 * and cannot be fixed.
 */
export function parseInputs(inputs: Iterable<Input>, options: { keepText?: boolean } = {}): ParsedInputs {
  const parsed: ParsedInputs = { manifests: [], dockerfiles: [], problems: [], mistyped: new Set() };
  const reportOnly = options.keepText === false;
  const parseOptions = reportOnly ? { keepText: false } : {};
  for (const input of inputs) {
    try {
      if (input.kind === 'dockerfile') {
        parsed.dockerfiles.push(parseDockerfile(input.text, input.file));
        continue;
      }
      // A document that cannot be read is reported; the other documents of the file are still linted.
      const unread: ManifestError[] = [];
      const manifests = parseManifests(input.text, input.file, parseOptions, unread);
      for (const e of unread) parsed.problems.push({ file: e.file, ...e.position, code: e.code, message: e.message });
      for (const object of manifests.objects) {
        const byPlace = checkFieldTypes(object).sort(
          (a, b) => a.position.line - b.position.line || a.position.column - b.position.column,
        );
        for (const problem of byPlace) {
          parsed.mistyped.add(object);
          parsed.problems.push({
            file: input.file,
            ...problem.position,
            code: FIELD_TYPE_ERROR,
            message: `${objectName(object)}: ${problem.message}. Kubernetes rejects this object (kubectl apply fails)`,
          });
        }
        // Known by its kind and name alone from here on: its data would only take memory until the report is written.
        if (reportOnly && !modelReadsData(object)) object.object = NO_DATA;
      }
      parsed.manifests.push(manifests);
    } catch (error) {
      if (error instanceof ManifestError) {
        parsed.problems.push({ file: error.file, ...error.position, code: error.code, message: error.message });
      } else {
        parsed.problems.push(internalProblem(input.file, { line: 1, column: 1 }, 'while reading this file', error));
      }
    }
  }
  return parsed;
}

/** The rules an object turns off, for the many objects that turn off none: one set for all of them. */
const NONE_IGNORED: ReadonlySet<string> = new Set();

function ignoredRules(object: ManifestDocument): ReadonlySet<string> {
  const read = (meta: unknown): string[] => {
    const annotations = (meta as { annotations?: Record<string, unknown> } | undefined)?.annotations;
    const value = annotations?.[IGNORE_ANNOTATION];
    return typeof value === 'string' ? value.split(',').map((s) => s.trim()) : [];
  };
  const spec = object.object.spec as { template?: { metadata?: unknown } } | undefined;
  const ids = [...read(object.object.metadata), ...read(spec?.template?.metadata)];
  return ids.length === 0 ? NONE_IGNORED : new Set(ids);
}

function dockerfileIgnores(dockerfile: Dockerfile): Set<string> {
  const out = new Set<string>();
  const re = /^\s*#\s*zerodrop\.dev\/ignore:\s*(.+)$/gm;
  for (let m = re.exec(dockerfile.text); m; m = re.exec(dockerfile.text)) {
    for (const id of (m[1] ?? '').split(',')) out.add(id.trim());
  }
  return out;
}

/** "Deployment shop/web container "app"": how messages name what they are about. */
export function describe(workload: Workload, container?: Container): string {
  const base = `${workload.kind} ${workload.namespace}/${workload.name || '(unnamed)'}`;
  return container ? `${base} container "${container.name}"` : base;
}

/**
 * The workload set of the objects. The model is total over any plain data, but should building it still fail on an
 * object, that object is left out and reported, and the set is built from the others.
 */
function buildSetIsolated(objects: ManifestDocument[], problems: InputProblem[]): WorkloadSet {
  try {
    return buildWorkloadSet(objects);
  } catch {
    const kept: ManifestDocument[] = [];
    for (const object of objects) {
      try {
        buildWorkloadSet([object]);
        kept.push(object);
      } catch (error) {
        problems.push(
          internalProblem(object.source.file, positionOf(object), `while modelling ${objectName(object)}`, error),
        );
      }
    }
    return buildWorkloadSet(kept);
  }
}

/** What a rule iterates over: a failure is pinned on one of these. */
type Subject = Workload | PodDisruptionBudget | Dockerfile;

function subjectsOf(set: WorkloadSet, dockerfiles: readonly Dockerfile[]): Subject[] {
  return [...set.workloads, ...set.pdbs, ...dockerfiles];
}

function restrict(set: WorkloadSet, dockerfiles: readonly Dockerfile[], keep: ReadonlySet<Subject>) {
  return {
    set: {
      ...set,
      workloads: set.workloads.filter((w) => keep.has(w)),
      pdbs: set.pdbs.filter((p) => keep.has(p)),
    },
    dockerfiles: dockerfiles.filter((d) => keep.has(d)),
  };
}

function describeSubject(subject: Subject): { file: string; at: { line: number; column: number }; name: string } {
  if ('stages' in subject) return { file: subject.file, at: { line: 1, column: 1 }, name: subject.file };
  const name = 'containers' in subject ? describe(subject) : `PodDisruptionBudget ${subject.namespace}/${subject.name}`;
  return { file: subject.doc.source.file, at: positionOf(subject.doc), name };
}

/** More failures than this in one rule: the rule is broken, not one object; it is reported once and skipped. */
const MAX_FAILURES_PER_RULE = 20;

/**
 * Runs one rule so that a throw on one object costs only that object: on a throw, the object is found by running the
 * rule over growing prefixes of what it iterates (binary search), reported as an internal problem, and the rule runs
 * again without it. The reports of the last clean run are kept.
 */
function runRule(
  rule: Rule,
  set: WorkloadSet,
  dockerfiles: readonly Dockerfile[],
  run: (set: WorkloadSet, dockerfiles: readonly Dockerfile[]) => Report[],
  problems: InputProblem[],
): Report[] {
  const attempt = (keep: ReadonlySet<Subject>): Report[] | { error: unknown } => {
    const subset = restrict(set, dockerfiles, keep);
    try {
      return run(subset.set, subset.dockerfiles);
    } catch (error) {
      return { error };
    }
  };
  try {
    return run(set, dockerfiles);
  } catch (firstError) {
    const all = subjectsOf(set, dockerfiles);
    const excluded = new Set<Subject>();
    const empty = attempt(new Set());
    if (!Array.isArray(empty)) {
      problems.push(internalProblem('(all inputs)', { line: 1, column: 1 }, `in rule ${rule.meta.id}`, firstError));
      return [];
    }
    for (let failures = 0; failures < MAX_FAILURES_PER_RULE; failures++) {
      const candidates = all.filter((s) => !excluded.has(s));
      const whole = attempt(new Set(candidates));
      if (Array.isArray(whole)) return whole;
      // The smallest prefix that fails ends with an object the rule fails on.
      let lo = 1;
      let hi = candidates.length;
      let error = whole.error;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const result = attempt(new Set(candidates.slice(0, mid)));
        if (Array.isArray(result)) lo = mid + 1;
        else {
          hi = mid;
          error = result.error;
        }
      }
      const culprit = candidates[hi - 1]!;
      excluded.add(culprit);
      const where = describeSubject(culprit);
      problems.push(internalProblem(where.file, where.at, `in rule ${rule.meta.id} on ${where.name}`, error));
    }
    problems.push(
      internalProblem(
        '(all inputs)',
        { line: 1, column: 1 },
        `in rule ${rule.meta.id}: it failed on more than ${MAX_FAILURES_PER_RULE} objects, so none of its findings are reported`,
        firstError,
      ),
    );
    return [];
  }
}

/** Objects of kinds no part of the model uses (ConfigMaps, CRDs, OpenShift DeploymentConfigs, ...), by kind. */
function unusedKinds(set: WorkloadSet): Record<string, number> {
  const used = new Set<ManifestDocument>();
  for (const [name, list] of Object.entries(set)) {
    if (name === 'objects' || !Array.isArray(list)) continue;
    for (const item of list as unknown[]) {
      if (typeof item !== 'object' || item === null) continue;
      if ('doc' in item) used.add((item as { doc: ManifestDocument }).doc);
      else if ('source' in item && 'kind' in item) used.add(item as ManifestDocument);
    }
  }
  const counts: Record<string, number> = {};
  for (const object of set.objects) {
    if (used.has(object)) continue;
    counts[object.kind] = (counts[object.kind] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/**
 * Runs the rules over parsed inputs. Rules see one WorkloadSet across all files, so links cross files. With
 * `describeFixes`, a finding's fix keeps its description and no edits, and nothing links a finding to its object: the
 * findings hold none of the parsed manifests (a report's run, see lintForReport).
 */
export function lintParsed(
  parsed: ParsedInputs,
  settings: LintSettings,
  rules: readonly Rule[] = RULES,
  how: { describeFixes?: boolean } = {},
): LintResult {
  const describeFixes = how.describeFixes === true;
  const forReport = describeFixes ? new ReportFindings() : undefined;
  const objects = parsed.manifests.flatMap((m) => m.objects);
  const problems = [...parsed.problems];
  const set: WorkloadSet = buildSetIsolated(objects, problems);
  const findings: Finding[] = [];
  const profiles = new Map<Workload, LoadBalancerProfile>();
  const ignores = new Map<ManifestDocument, ReadonlySet<string>>();
  const dockerIgnores = new Map<Dockerfile, Set<string>>();
  const profile = (w: Workload) => memo(profiles, w, () => profileOf(set, w, settings.profile));
  for (const rule of rules) {
    const configured = settings.rules[rule.meta.id];
    const severitySetting = configured?.severity ?? rule.meta.severity;
    if (severitySetting === 'off') continue;
    const severity: Severity = severitySetting;
    const options: Record<string, unknown> = {};
    for (const [name, o] of Object.entries(rule.meta.options ?? {})) options[name] = o.default;
    Object.assign(options, configured?.options);
    const run = (subset: WorkloadSet, dockerfiles: readonly Dockerfile[]): Report[] => {
      const reports: Report[] = [];
      const context: RuleContext = {
        set: subset,
        dockerfiles,
        settings,
        options,
        profileOf: profile,
        timelineOf: (w, c) =>
          computeTimeline(terminationOf(w, c, settings.app), profile(w), {
            marginSeconds: settings.marginSeconds,
            ...(settings.propagationSeconds !== undefined ? { propagationSeconds: settings.propagationSeconds } : {}),
          }),
        describe,
        report: (report: Report) => {
          reports.push(report);
        },
      };
      rule.check(context);
      return reports;
    };
    for (const report of runRule(rule, set, parsed.dockerfiles, run, problems)) {
      const finding = toFinding(rule.meta.id, severity, report, ignores, dockerIgnores, forReport);
      if (finding) findings.push(finding);
    }
  }
  findings.sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule),
  );
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const unreadable = new Set(parsed.problems.filter((p) => p.code !== FIELD_TYPE_ERROR).map((p) => p.file));
  return {
    findings,
    problems,
    summary: {
      files:
        parsed.manifests.length +
        parsed.dockerfiles.length +
        [...unreadable].filter((f) => !parsed.manifests.some((m) => m.source.file === f)).length,
      objects: objects.length,
      workloads: set.workloads.length,
      dockerfiles: parsed.dockerfiles.length,
      skippedDocuments: parsed.manifests.reduce((n, m) => n + m.skipped, 0),
      skippedKinds: unusedKinds(set),
      errors: count('error'),
      warnings: count('warning'),
      infos: count('info'),
      fixable: findings.filter((f) => f.fix).length,
    },
  };
}

function memo<K, V>(cache: Map<K, V>, key: K, compute: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute();
    cache.set(key, value);
  }
  return value;
}

/** The object each finding is about (findings carry only its kind and name, for reporters). */
const findingObjects = new WeakMap<Finding, ManifestDocument>();

/** The manifest object a finding was reported on, when it was reported on one. */
export function objectOfFinding(finding: Finding): ManifestDocument | undefined {
  return findingObjects.get(finding);
}

/** Where a message is cut into pieces that repeat across findings: after the end of a clause or a sentence. */
const PIECE_ENDS = /(?<=[:.;] )/;

/**
 * A finding of a report run (see ReportFindings): its message is kept as pieces shared with other findings, and
 * joined each time it is read.
 */
class ReportFinding implements Finding {
  declare object?: Finding['object'];
  declare fix?: Fix;
  readonly #message: readonly string[];

  constructor(
    public rule: string,
    public severity: Severity,
    public file: string,
    public line: number,
    public column: number,
    message: readonly string[],
  ) {
    this.#message = message;
  }

  get message(): string {
    return this.#message.join('');
  }
}

/** The edits of every fix of a report run: none (see lintForReport). */
const NO_EDITS: Fix['edits'] = Object.freeze([]) as unknown as Fix['edits'];

/**
 * What the findings of a report run share. A rule explains a problem in mostly the same words for every object it
 * reports, and a large stream has tens of thousands of findings (16 million characters of messages on 56,091
 * objects): each message is cut after its clauses and sentences and each distinct piece kept once, about 7 MiB there
 * where the whole messages took 24. Findings about one object share its `object` too.
 */
class ReportFindings {
  private readonly pieces = new Map<string, string>();
  private readonly objects = new Map<ManifestDocument, NonNullable<Finding['object']>>();

  /** One copy of a piece of text (of its own: not a view into the message it was cut from, see detached). */
  private piece(text: string): string {
    let kept = this.pieces.get(text);
    if (kept === undefined) {
      kept = detached(text);
      this.pieces.set(kept, kept);
    }
    return kept;
  }

  message(text: string): string[] {
    const pieces = text.split(PIECE_ENDS);
    for (let i = 0; i < pieces.length; i++) pieces[i] = this.piece(pieces[i]!);
    return pieces;
  }

  fix(fix: Fix): Fix {
    return { description: this.piece(fix.description), edits: NO_EDITS };
  }

  object(object: ManifestDocument): NonNullable<Finding['object']> {
    return memo(this.objects, object, () => describedObject(object));
  }
}

function describedObject(object: ManifestDocument): NonNullable<Finding['object']> {
  return {
    kind: object.kind,
    name: object.name,
    ...(object.namespace !== undefined ? { namespace: object.namespace } : {}),
  };
}

function toFinding(
  rule: string,
  severity: Severity,
  report: Report,
  ignores: Map<ManifestDocument, ReadonlySet<string>>,
  dockerIgnores: Map<Dockerfile, Set<string>>,
  forReport: ReportFindings | undefined,
): Finding | undefined {
  if ('dockerfile' in report) {
    const ignored = memo(dockerIgnores, report.dockerfile, () => dockerfileIgnores(report.dockerfile));
    if (ignored.has(rule) || ignored.has('all')) return undefined;
    const file = report.dockerfile.file;
    const column = report.column ?? 1;
    if (forReport)
      return new ReportFinding(rule, severity, file, report.line, column, forReport.message(report.message));
    return {
      rule,
      severity,
      file,
      line: report.line,
      column,
      message: detached(report.message),
    };
  }
  const { object } = report;
  const ignored = memo(ignores, object, () => ignoredRules(object));
  if (ignored.has(rule) || ignored.has('all')) return undefined;
  const position = positionOf(object, report.path ?? []);
  if (forReport) {
    const finding = new ReportFinding(
      rule,
      milder(severity, report.atMost),
      object.source.file,
      position.line,
      position.column,
      forReport.message(report.message),
    );
    finding.object = forReport.object(object);
    if (report.fix) finding.fix = forReport.fix(report.fix);
    return finding;
  }
  const finding: Finding = {
    rule,
    severity: milder(severity, report.atMost),
    file: object.source.file,
    line: position.line,
    column: position.column,
    object: describedObject(object),
    // A message is kept until it is written: one flat string, not the pieces it was built from.
    message: detached(report.message),
  };
  if (report.fix) finding.fix = report.fix;
  findingObjects.set(finding, object);
  return finding;
}

/**
 * Why a run checked nothing (no Kubernetes object and no Dockerfile in its inputs), or undefined when it checked
 * something. An empty `helm template` output or a mistyped folder must not pass CI.
 */
export function emptyInputMessage(paths: readonly string[], result: LintResult): string | undefined {
  if (result.summary.objects > 0 || result.summary.dockerfiles > 0) return undefined;
  const where = paths.length ? paths.map((p) => (p === '-' ? 'standard input' : p)).join(', ') : 'the current folder';
  const skipped = result.summary.skippedDocuments;
  const detail = skipped ? ` (${skipped} YAML document(s) without apiVersion and kind)` : '';
  return `no Kubernetes objects or Dockerfiles found in ${where}${detail}: nothing was checked. Pass --allow-empty to accept an empty input`;
}

/** Parses and lints in one go. */
export function lint(inputs: readonly Input[], settings: LintSettings, rules: readonly Rule[] = RULES): LintResult {
  return lintParsed(parseInputs(inputs), settings, rules);
}

/**
 * Lints for a report alone, as `zerodrop lint` does: each input is taken from `inputs` when its turn comes and its
 * text let go once parsed, and a finding's fix is its description only (its edits would hold the parsed manifests).
 * What the result holds is the findings and problems: the memory of a large input is free again while its report is
 * written. The findings cannot be fixed; `fixInputs` parses and lints for itself. `afterParse` runs once every input
 * is parsed, before the model is built (the CLI has V8 favour memory from there on: see favorMemory).
 */
export function lintForReport(
  inputs: Iterable<Input>,
  settings: LintSettings,
  rules: readonly Rule[] = RULES,
  how: { afterParse?: () => void } = {},
): LintResult {
  const parsed = parseInputs(inputs, { keepText: false });
  how.afterParse?.();
  return lintParsed(parsed, settings, rules, { describeFixes: true });
}
