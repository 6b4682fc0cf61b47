import type {
  AppDrainConfig,
  Container,
  Dockerfile,
  DockerfileMapping,
  LoadBalancerProfile,
  ManifestDocument,
  ProfileId,
  SourceFile,
  Timeline,
  Workload,
  WorkloadSet,
  YamlPath,
} from '@zerodrop/core';

export type Severity = 'error' | 'warning' | 'info';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** The milder of two severities. */
export function milder(a: Severity, b: Severity | undefined): Severity {
  return b !== undefined && SEVERITY_RANK[b] < SEVERITY_RANK[a] ? b : a;
}
export type SeveritySetting = Severity | 'off';

/** The zero-drop condition of DESIGN.md's timeline a rule protects. */
export type Condition =
  | '1-prestop-covers-propagation'
  | '2-app-drains'
  | '3-grace-covers-drain'
  | '4-ready-and-capacity'
  | '5-disruption-budget'
  | '6-signal-reaches-app'
  | '7-shallow-liveness';

export const CONDITIONS: Record<Condition, string> = {
  '1-prestop-covers-propagation': '1. preStop outlasts the slowest consumer’s propagation delay',
  '2-app-drains': '2. the app drains in-flight requests and keep-alive connections',
  '3-grace-covers-drain': '3. the grace period covers preStop + drain + margin',
  '4-ready-and-capacity': '4. new pods take traffic only when ready; capacity never dips',
  '5-disruption-budget': '5. a PodDisruptionBudget keeps a floor that drains can still pass',
  '6-signal-reaches-app': '6. the stop signal reaches the app',
  '7-shallow-liveness': '7. liveness is shallow and never fails because of a dependency or shutdown',
};

export interface RuleMeta {
  /** kebab-case; also the file names `src/rules/<id>.ts`, `docs/rules/<id>.md`, `test/rules/<id>.test.ts`. */
  id: string;
  /** One line, shown in the docs table and in SARIF. */
  description: string;
  severity: Severity;
  fixable: boolean;
  condition: Condition;
  /** Rule options accepted under `rules.<id>` in `.zerodrop.yaml`, with their defaults. */
  options?: Record<string, { description: string; default: number | string | boolean }>;
}

/**
 * One edit of a fix. `set` writes a value at a path (creating missing parents); `replace` swaps a written value, map
 * or list included, for another (nothing when the path is not written); `append` adds a document.
 */
export type Edit =
  | { op: 'set'; object: ManifestDocument; path: YamlPath; value: unknown }
  | { op: 'replace'; object: ManifestDocument; path: YamlPath; value: unknown }
  | { op: 'append'; source: SourceFile; value: Record<string, unknown> };

export interface Fix {
  /** What the fix does, e.g. "set preStop sleep to 3s". */
  description: string;
  edits: Edit[];
}

/**
 * What a rule reports: about a manifest object (at a path inside it) or a Dockerfile line. `atMost` lowers one
 * report below the rule's severity (a milder case of the same problem); it never raises it.
 */
export type Report =
  | { object: ManifestDocument; path?: YamlPath; message: string; fix?: Fix; atMost?: Severity }
  | { dockerfile: Dockerfile; line: number; column?: number; message: string };

/** Everything a lint run knows beyond the manifests: resolved `.zerodrop.yaml` plus flags. */
export interface LintSettings {
  /** Forces one load-balancer profile for every workload; otherwise inferred per workload, else kube-proxy. */
  profile?: ProfileId;
  /** Target Kubernetes version, "major.minor" (the native sleep preStop needs 1.30). */
  kubernetesVersion: string;
  marginSeconds: number;
  /** Measured worst-case propagation for this cluster; overrides the profile's. */
  propagationSeconds?: number;
  app: AppDrainConfig;
  dockerfiles: DockerfileMapping[];
  rules: Record<string, { severity?: SeveritySetting; options?: Record<string, unknown> }>;
}

export interface RuleContext {
  set: WorkloadSet;
  dockerfiles: readonly Dockerfile[];
  settings: LintSettings;
  /** This rule's options: defaults from `meta.options` overlaid with the configured ones. */
  options: Record<string, unknown>;
  /** The load-balancer profile of a workload (forced, inferred, or kube-proxy). */
  profileOf(workload: Workload): LoadBalancerProfile;
  /** The termination timeline of a container, from terminationOf + computeTimeline. */
  timelineOf(workload: Workload, container: Container): Timeline;
  /** "Deployment shop/web" — how messages name an object. */
  describe(workload: Workload, container?: Container): string;
  report(report: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
}

/** A finding with its place resolved: what reporters print. */
export interface Finding {
  rule: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  object?: { kind: string; namespace?: string; name: string };
  message: string;
  fix?: Fix;
}

/** True when a Kubernetes `version` ("1.29", "1.30.2") is at least `minimum` ("1.30"). */
export function versionAtLeast(version: string, minimum: string): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  const [c = 0, d = 0] = minimum.split('.').map(Number);
  return a > c || (a === c && b >= d);
}
