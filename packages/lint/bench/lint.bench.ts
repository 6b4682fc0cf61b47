// Lint throughput on a generated corpus of 10,000 Kubernetes documents, against parsing the same text with the same
// YAML parser. Run: `npx tsc -b packages/lint && node packages/lint/dist/bench/lint.bench.js`.
import { Parser, parseAllDocuments } from 'yaml';
import { defaultSettings } from '../src/config.js';
import { lint } from '../src/engine.js';
import type { Input } from '../src/files.js';
import { interleaved, median, ratioText } from './support.js';

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

const inputs = corpus();
const bytes = inputs.reduce((n, i) => n + i.text.length, 0);
const settings = defaultSettings();
const rounds = Number(process.env.BENCH_RUNS ?? 9);
const only = process.env.BENCH_ONLY; // e.g. `lint`, to profile one variant

let findings = 0;
const variants: { name: string; run: () => void }[] = [
  // The baseline: the Documents lint keeps (positions of findings, comment-keeping fixes), from the same parser.
  {
    name: 'parse only (yaml parseAllDocuments)',
    run: () => {
      for (const i of inputs) parseAllDocuments(i.text);
    },
  },
  {
    name: 'parse + toJS (yaml, plain objects)',
    run: () => {
      for (const i of inputs) for (const doc of parseAllDocuments(i.text) as { toJS(): unknown }[]) doc.toJS();
    },
  },
  // Lower bound for any use of this parser: its concrete syntax tree, no Documents.
  {
    name: 'CST only (yaml Parser, no Documents)',
    run: () => {
      for (const i of inputs) for (const _ of new Parser().parse(i.text));
    },
  },
  {
    name: 'zerodrop lint',
    run: () => {
      findings = lint(inputs, settings).findings.length;
    },
  },
].filter((v) => !only || v.name.includes(only));

const samples = interleaved(variants, rounds);

const rate = (ms: number) => Math.round(DOCUMENTS / (ms / 1000)).toLocaleString('en-US');
console.log(`corpus: ${DOCUMENTS} documents in ${inputs.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
console.log(`${rounds} interleaved rounds; min / median ms, documents/s at min / median`);
variants.forEach((v, i) => {
  const s = samples[i]!;
  const min = Math.min(...s);
  const med = median(s);
  console.log(
    `${v.name.padEnd(38)} ${min.toFixed(0).padStart(5)} / ${med.toFixed(0).padStart(5)} ms  ${rate(min).padStart(6)} / ${rate(med).padStart(6)} docs/s`,
  );
});
const at = (name: string) => variants.findIndex((v) => v.name.startsWith(name));
const ratio = (a: number, b: number) => (a < 0 || b < 0 ? undefined : ratioText(samples[a]!, samples[b]!));
if (at('zerodrop lint') >= 0) console.log(`findings: ${findings}`);
const vsParse = ratio(at('zerodrop lint'), at('parse only'));
if (vsParse) console.log(`lint / parse only:   ${vsParse}, target <= 1.5x`);
const vsToJs = ratio(at('zerodrop lint'), at('parse + toJS'));
if (vsToJs) console.log(`lint / parse + toJS: ${vsToJs}`);
