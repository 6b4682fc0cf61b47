/** Builders for the manifests rule tests share, so each case only spells out what it is about. */

function indent(snippet: string | undefined, spaces: number): string {
  if (!snippet) return '';
  const lines = snippet.replace(/^\n/, '').trimEnd().split('\n');
  const base = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return `${lines.map((l) => ' '.repeat(spaces) + l.slice(base)).join('\n')}\n`;
}

export interface DeploymentParts {
  name?: string;
  kind?: string;
  apiVersion?: string;
  replicas?: number;
  /** Extra lines under `spec:` (strategy, ...). */
  spec?: string;
  /** Extra lines under the pod `spec:` (terminationGracePeriodSeconds, ...). */
  pod?: string;
  /** Extra lines of the first container (probes, lifecycle, command, ...). */
  container?: string;
  /** Lines under `metadata:` (annotations, ...). */
  metadata?: string;
  /** Container ports; `false` for none. */
  ports?: boolean;
}

/** A Deployment named `web` (labels app: web) with one container `app` listening on named port http (8080). */
export function deployment(parts: DeploymentParts = {}): string {
  const name = parts.name ?? 'web';
  const ports =
    parts.ports === false ? '' : '          ports:\n            - name: http\n              containerPort: 8080\n';
  return `apiVersion: ${parts.apiVersion ?? 'apps/v1'}
kind: ${parts.kind ?? 'Deployment'}
metadata:
  name: ${name}
${indent(parts.metadata, 2)}spec:
  replicas: ${parts.replicas ?? 3}
${indent(parts.spec, 2)}  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
${indent(parts.pod, 6)}      containers:
        - name: app
          image: ghcr.io/acme/${name}:1.0
${ports}${indent(parts.container, 10)}`;
}

/** A Service `web` selecting app: web, port 80 → `targetPort` (http), with extra metadata lines (annotations). */
export function service(metadata?: string, targetPort: string | number = 'http'): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: web
${indent(metadata, 2)}spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: ${targetPort}
`;
}

/** Joins documents into one multi-document file. */
export function docs(...documents: string[]): string {
  return documents.join('---\n');
}

/** A PodDisruptionBudget `name` with a budget line (`maxUnavailable: 1`, `minAvailable: "50%"`) selecting app: web. */
export function pdb(budget = 'maxUnavailable: 1', name = 'web', matchLabels = 'app: web'): string {
  return `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
spec:
  ${budget}
  selector:
    matchLabels:
      ${matchLabels}
`;
}

/** A HorizontalPodAutoscaler for Deployment `web` with the given replica range. */
export function hpa(minReplicas: number, maxReplicas = 10): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: ${minReplicas}
  maxReplicas: ${maxReplicas}
`;
}
