// Lint throughput on a generated corpus of 10,000 Kubernetes documents, against parsing the same text with the same
// YAML parser. Run: `npx tsc -b packages/lint && node packages/lint/dist/bench/lint.bench.js`.
import { performance } from 'node:perf_hooks';
import { parseAllDocuments } from 'yaml';
import { defaultSettings } from '../src/config.js';
import { lint } from '../src/engine.js';
import type { Input } from '../src/files.js';

const DOCUMENTS = 10_000;
const PER_FILE = 50;

/** One application: a Deployment (some clean, some not), its Service, sometimes a PDB, an HPA and a ConfigMap. */
function app(i: number): string[] {
  const name = `svc-${i}`;
  const clean = i % 3 === 0;
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: team-${i % 7}
  labels: {app: ${name}}
spec:
  replicas: ${1 + (i % 6)}
${clean ? '  strategy:\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}\n' : ''}  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}, tier: backend}
    spec:
${clean ? '      terminationGracePeriodSeconds: 30\n' : ''}      containers:
        - name: app
          image: ghcr.io/acme/${name}:1.${i}
          command: ${clean ? '[node, server.js]' : '[npm, start]'}
          ports:
            - name: http
              containerPort: 8080
          env:
            - {name: PORT, value: "8080"}
            - {name: LOG_LEVEL, value: info}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
          readinessProbe:
            httpGet: {path: /ready, port: http}
            periodSeconds: 5
          livenessProbe:
            httpGet: {path: ${clean ? '/live' : '/ready'}, port: http}
${clean ? '          lifecycle:\n            preStop:\n              sleep: {seconds: 3}\n' : ''}`;
  const service = `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: team-${i % 7}
spec:
  selector: {app: ${name}}
  ports:
    - {port: 80, targetPort: http}
`;
  const pdb = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: ${name}, namespace: team-${i % 7}}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: ${name}}}
`;
  const hpa = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ${name}, namespace: team-${i % 7}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${name}}
  minReplicas: 2
  maxReplicas: 10
`;
  const config = `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}-config, namespace: team-${i % 7}}
data:
  settings.json: '{"featureA": true, "timeoutMs": 2500}'
`;
  return [deployment, service, ...(clean ? [pdb] : []), hpa, config];
}

function corpus(): Input[] {
  const documents: string[] = [];
  for (let i = 0; documents.length < DOCUMENTS; i++) documents.push(...app(i));
  documents.length = DOCUMENTS;
  const inputs: Input[] = [];
  for (let f = 0; f * PER_FILE < DOCUMENTS; f++) {
    const text = documents.slice(f * PER_FILE, (f + 1) * PER_FILE).join('---\n');
    inputs.push({ file: `corpus/file-${f}.yaml`, kind: 'manifest', text });
  }
  return inputs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(runs: number, fn: () => void): number {
  fn(); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

const inputs = corpus();
const bytes = inputs.reduce((n, i) => n + i.text.length, 0);
const settings = defaultSettings();
const runs = Number(process.env.BENCH_RUNS ?? 7);

let findings = 0;
const parseOnly = time(runs, () => {
  for (const input of inputs) parseAllDocuments(input.text);
});
const parseToJs = time(runs, () => {
  for (const input of inputs) for (const doc of parseAllDocuments(input.text) as { toJS(): unknown }[]) doc.toJS();
});
const lintMs = time(runs, () => {
  findings = lint(inputs, settings).findings.length;
});

const rate = (ms: number) => Math.round(DOCUMENTS / (ms / 1000));
console.log(`corpus: ${DOCUMENTS} documents in ${inputs.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
console.log(`parse only (yaml parseAllDocuments):        ${parseOnly.toFixed(0)} ms  ${rate(parseOnly)} docs/s`);
console.log(`parse + toJS (yaml, plain objects):         ${parseToJs.toFixed(0)} ms  ${rate(parseToJs)} docs/s`);
console.log(
  `zerodrop lint (parse, model, 9+ rules):     ${lintMs.toFixed(0)} ms  ${rate(lintMs)} docs/s, ${findings} findings`,
);
console.log(`lint / parse only:   ${(lintMs / parseOnly).toFixed(2)}x (target <= 1.5x)`);
console.log(`lint / parse + toJS: ${(lintMs / parseToJs).toFixed(2)}x`);
