import { displayValue, type ManifestDocument, positionOf, type SourcePosition, type YamlPath } from './manifest.js';
import { apiGroup, workloadKindOf } from './workload.js';

/**
 * The types Kubernetes accepts for the fields zerodrop reads. Manifests are untrusted: any field can hold any YAML
 * value (`path: 8080`, `memory: {toString: 1}`, a list where a map belongs). The API server rejects such an object,
 * so zerodrop reports it as an input problem with its place, reads the field as not written (or as the number or
 * text it plainly means), and checks the rest of the object.
 */
type Shape =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'int-or-string'
  | 'quantity'
  | { fields: Record<string, Shape> }
  | { values: Shape }
  | { items: Shape };

const fields = (f: Record<string, Shape>): Shape => ({ fields: f });
const values = (v: Shape): Shape => ({ values: v });
const items = (i: Shape): Shape => ({ items: i });

const HTTP_GET = fields({
  path: 'string',
  port: 'int-or-string',
  host: 'string',
  scheme: 'string',
  httpHeaders: items(fields({ name: 'string', value: 'string' })),
});
const TCP_SOCKET = fields({ port: 'int-or-string', host: 'string' });
const EXEC = fields({ command: items('string') });
const PROBE = fields({
  httpGet: HTTP_GET,
  tcpSocket: TCP_SOCKET,
  exec: EXEC,
  grpc: fields({ port: 'integer', service: 'string' }),
  initialDelaySeconds: 'integer',
  periodSeconds: 'integer',
  timeoutSeconds: 'integer',
  successThreshold: 'integer',
  failureThreshold: 'integer',
  terminationGracePeriodSeconds: 'integer',
});
const HOOK = fields({ exec: EXEC, httpGet: HTTP_GET, tcpSocket: TCP_SOCKET, sleep: fields({ seconds: 'integer' }) });
const CONTAINER = fields({
  name: 'string',
  image: 'string',
  command: items('string'),
  args: items('string'),
  ports: items(
    fields({ name: 'string', containerPort: 'integer', hostPort: 'integer', protocol: 'string', hostIP: 'string' }),
  ),
  env: items(fields({ name: 'string', value: 'string', valueFrom: fields({}) })),
  resources: fields({ requests: values('quantity'), limits: values('quantity') }),
  startupProbe: PROBE,
  readinessProbe: PROBE,
  livenessProbe: PROBE,
  lifecycle: fields({ preStop: HOOK, postStart: HOOK }),
});
const METADATA = fields({
  name: 'string',
  namespace: 'string',
  labels: values('string'),
  annotations: values('string'),
});
const POD_SPEC = fields({
  terminationGracePeriodSeconds: 'integer',
  containers: items(CONTAINER),
  initContainers: items(CONTAINER),
  hostNetwork: 'boolean',
});
const LABEL_SELECTOR = fields({
  matchLabels: values('string'),
  matchExpressions: items(fields({ key: 'string', operator: 'string', values: items('string') })),
});
const ROLLING_UPDATE = fields({ maxSurge: 'int-or-string', maxUnavailable: 'int-or-string', partition: 'integer' });
const STRATEGY = fields({ type: 'string', rollingUpdate: ROLLING_UPDATE });
const CONTROLLER_SPEC = fields({
  replicas: 'integer',
  minReadySeconds: 'integer',
  progressDeadlineSeconds: 'integer',
  selector: LABEL_SELECTOR,
  template: fields({ metadata: METADATA, spec: POD_SPEC }),
  strategy: STRATEGY,
  updateStrategy: STRATEGY,
});
const ROLLOUT_SPEC = fields({
  ...(CONTROLLER_SPEC as { fields: Record<string, Shape> }).fields,
  strategy: fields({
    canary: fields({ maxSurge: 'int-or-string', maxUnavailable: 'int-or-string' }),
    blueGreen: fields({}),
  }),
});
const BACKEND = fields({
  service: fields({ name: 'string', port: fields({ number: 'integer', name: 'string' }) }),
  serviceName: 'string',
  servicePort: 'int-or-string',
});

/** The spec of each kind zerodrop models, by `group/kind`. */
const SPECS: Record<string, Shape> = {
  '/Service': fields({
    type: 'string',
    clusterIP: 'string',
    selector: values('string'),
    ports: items(
      fields({ name: 'string', port: 'integer', targetPort: 'int-or-string', nodePort: 'integer', protocol: 'string' }),
    ),
  }),
  'policy/PodDisruptionBudget': fields({
    selector: LABEL_SELECTOR,
    minAvailable: 'int-or-string',
    maxUnavailable: 'int-or-string',
    unhealthyPodEvictionPolicy: 'string',
  }),
  'autoscaling/HorizontalPodAutoscaler': fields({
    scaleTargetRef: fields({ apiVersion: 'string', kind: 'string', name: 'string' }),
    minReplicas: 'integer',
    maxReplicas: 'integer',
  }),
  'networking.k8s.io/Ingress': fields({
    ingressClassName: 'string',
    defaultBackend: BACKEND,
    backend: BACKEND,
    rules: items(
      fields({ host: 'string', http: fields({ paths: items(fields({ path: 'string', backend: BACKEND })) }) }),
    ),
  }),
};
SPECS['extensions/Ingress'] = SPECS['networking.k8s.io/Ingress']!;

function specShapeOf(object: ManifestDocument): Shape | undefined {
  const workload = workloadKindOf(object);
  if (workload === 'Pod') return POD_SPEC;
  if (workload === 'Rollout') return ROLLOUT_SPEC;
  if (workload) return CONTROLLER_SPEC;
  return SPECS[`${apiGroup(object.apiVersion)}/${object.kind}`];
}

/** A field holding a value of a type Kubernetes rejects. */
export interface FieldProblem {
  /** Where the field is, relative to the object. */
  path: YamlPath;
  /** Where it is written (taken before the field is replaced). */
  position: SourcePosition;
  /** `spec.replicas must be an integer, got the string "3"; read as 3`. */
  message: string;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  boolean: 'true or false',
  'int-or-string': 'an integer or a string such as "25%"',
  quantity: 'a quantity such as 500m or "1Gi"',
};

function kindOfValue(value: unknown): string {
  if (Array.isArray(value)) return `a list ${displayValue(value, 40)}`;
  if (typeof value === 'object' && value !== null) return `a map ${displayValue(value, 40)}`;
  if (typeof value === 'string') return `the string ${displayValue(value, 40)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return `${typeof value} ${String(value)}`;
}

/** `spec.template.spec.containers[0].image`. */
export function fieldPathText(path: YamlPath): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else out += /^[A-Za-z_][\w-]*$/.test(step) ? `${out ? '.' : ''}${step}` : `[${JSON.stringify(step)}]`;
  }
  return out;
}

/**
 * The value a field of this shape reads as: itself when it fits, the number or text it plainly means (a quoted
 * integer, a numeric label value), or `undefined` (read as not written).
 */
function coerce(shape: 'string' | 'integer' | 'boolean' | 'int-or-string' | 'quantity', value: unknown): unknown {
  switch (shape) {
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    case 'integer':
      return typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : undefined;
    default:
      return undefined;
  }
}

function fits(shape: 'string' | 'integer' | 'boolean' | 'int-or-string' | 'quantity', value: unknown): boolean {
  switch (shape) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'int-or-string':
      return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
    case 'quantity':
      return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
  }
}

function check(
  object: ManifestDocument,
  container: Record<string | number, unknown>,
  key: string | number,
  shape: Shape,
  path: YamlPath,
  out: FieldProblem[],
): void {
  const value = container[key];
  // null is what a field left empty reads as; Kubernetes takes it as not written.
  if (value === null || value === undefined) return;
  const replace = (next: unknown, as: string) => {
    const expected =
      typeof shape === 'string' ? TYPE_NAMES[shape] : 'fields' in shape || 'values' in shape ? 'a map' : 'a list';
    out.push({
      path,
      position: positionOf(object, path),
      message: `${fieldPathText(path)} must be ${expected}, got ${kindOfValue(value)}; ${as}`,
    });
    if (next === undefined) {
      if (Array.isArray(container)) container[key as number] = null;
      else delete container[key];
    } else container[key] = next;
  };
  if (typeof shape === 'string') {
    if (fits(shape, value)) return;
    const next = coerce(shape, value);
    replace(next, next === undefined ? 'read as not written' : `read as ${displayValue(next)}`);
    return;
  }
  if ('items' in shape) {
    if (!Array.isArray(value)) {
      replace(undefined, 'read as not written');
      return;
    }
    for (let i = 0; i < value.length; i++)
      check(object, value as unknown[] as Record<number, unknown>, i, shape.items, [...path, i], out);
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    replace(undefined, 'read as not written');
    return;
  }
  const map = value as Record<string, unknown>;
  if ('values' in shape) {
    for (const k of Object.keys(map)) check(object, map, k, shape.values, [...path, k], out);
    return;
  }
  for (const [k, s] of Object.entries(shape.fields))
    if (Object.hasOwn(map, k)) check(object, map, k, s, [...path, k], out);
}

/**
 * Checks the fields zerodrop reads in one object against the types Kubernetes accepts. A field of the wrong type is
 * replaced in the object's plain data by what it reads as (the number a quoted integer means, or nothing) and
 * returned as a problem; call it once per object, before building the workload model.
 */
export function checkFieldTypes(object: ManifestDocument): FieldProblem[] {
  const out: FieldProblem[] = [];
  const root = object.object;
  check(object, root, 'metadata', METADATA, ['metadata'], out);
  const spec = specShapeOf(object);
  if (spec) check(object, root, 'spec', spec, ['spec'], out);
  return out;
}
