import {
  buildWorkloadSet,
  type Container,
  computeTimeline,
  type Dockerfile,
  type LoadBalancerProfile,
  type ManifestDocument,
  ManifestError,
  type ParsedManifests,
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
  type LintSettings,
  milder,
  type Report,
  type Rule,
  type RuleContext,
  type Severity,
} from './rule.js';

/** The per-object annotation that turns rules off: `zerodrop.dev/ignore: "rule-a,rule-b"` (or `all`). */
export const IGNORE_ANNOTATION = 'zerodrop.dev/ignore';

/** A file that could not be read or parsed: reported with its place; other files are still linted. */
export interface InputProblem {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

export interface ParsedInputs {
  manifests: ParsedManifests[];
  dockerfiles: Dockerfile[];
  problems: InputProblem[];
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
    errors: number;
    warnings: number;
    infos: number;
    fixable: number;
  };
}

/** Parses every input; a file that fails becomes an InputProblem and the rest go on. */
export function parseInputs(inputs: readonly Input[]): ParsedInputs {
  const parsed: ParsedInputs = { manifests: [], dockerfiles: [], problems: [] };
  for (const input of inputs) {
    if (input.kind === 'dockerfile') {
      parsed.dockerfiles.push(parseDockerfile(input.text, input.file));
      continue;
    }
    try {
      parsed.manifests.push(parseManifests(input.text, input.file));
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      parsed.problems.push({ file: error.file, ...error.position, code: error.code, message: error.message });
    }
  }
  return parsed;
}

function ignoredRules(object: ManifestDocument): Set<string> {
  const read = (meta: unknown): string[] => {
    const annotations = (meta as { annotations?: Record<string, unknown> } | undefined)?.annotations;
    const value = annotations?.[IGNORE_ANNOTATION];
    return typeof value === 'string' ? value.split(',').map((s) => s.trim()) : [];
  };
  const spec = object.object.spec as { template?: { metadata?: unknown } } | undefined;
  return new Set([...read(object.object.metadata), ...read(spec?.template?.metadata)]);
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

/** Runs the rules over parsed inputs. Rules see one WorkloadSet across all files, so links cross files. */
export function lintParsed(parsed: ParsedInputs, settings: LintSettings, rules: readonly Rule[] = RULES): LintResult {
  const objects = parsed.manifests.flatMap((m) => m.objects);
  const set: WorkloadSet = buildWorkloadSet(objects);
  const findings: Finding[] = [];
  const profiles = new Map<Workload, LoadBalancerProfile>();
  const ignores = new Map<ManifestDocument, Set<string>>();
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
    const context: RuleContext = {
      set,
      dockerfiles: parsed.dockerfiles,
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
        const finding = toFinding(rule.meta.id, severity, report, ignores, dockerIgnores);
        if (finding) findings.push(finding);
      },
    };
    rule.check(context);
  }
  findings.sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule),
  );
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return {
    findings,
    problems: parsed.problems,
    summary: {
      files: parsed.manifests.length + parsed.dockerfiles.length + parsed.problems.length,
      objects: objects.length,
      workloads: set.workloads.length,
      dockerfiles: parsed.dockerfiles.length,
      skippedDocuments: parsed.manifests.reduce((n, m) => n + m.skipped, 0),
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

function toFinding(
  rule: string,
  severity: Severity,
  report: Report,
  ignores: Map<ManifestDocument, Set<string>>,
  dockerIgnores: Map<Dockerfile, Set<string>>,
): Finding | undefined {
  if ('dockerfile' in report) {
    const ignored = memo(dockerIgnores, report.dockerfile, () => dockerfileIgnores(report.dockerfile));
    if (ignored.has(rule) || ignored.has('all')) return undefined;
    return {
      rule,
      severity,
      file: report.dockerfile.file,
      line: report.line,
      column: report.column ?? 1,
      message: report.message,
    };
  }
  const { object } = report;
  const ignored = memo(ignores, object, () => ignoredRules(object));
  if (ignored.has(rule) || ignored.has('all')) return undefined;
  const position = positionOf(object, report.path ?? []);
  const finding: Finding = {
    rule,
    severity: milder(severity, report.atMost),
    file: object.source.file,
    line: position.line,
    column: position.column,
    object: {
      kind: object.kind,
      name: object.name,
      ...(object.namespace !== undefined ? { namespace: object.namespace } : {}),
    },
    message: report.message,
  };
  if (report.fix) finding.fix = report.fix;
  return finding;
}

/** Parses and lints in one go. */
export function lint(inputs: readonly Input[], settings: LintSettings, rules: readonly Rule[] = RULES): LintResult {
  return lintParsed(parseInputs(inputs), settings, rules);
}
