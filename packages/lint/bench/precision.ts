// Precision of zerodrop lint on manifests nobody on the project wrote, side by side with its peers.
//
//   npx tsc -b packages/lint && node packages/lint/dist/bench/precision.js \
//     --corpus ../shared/corpus [--corpus more/manifests] \
//     [--kube-score path/to/kube-score] [--kube-linter path/to/kube-linter] [--polaris path/to/polaris] \
//     [--sample packages/lint/bench/precision-sample.md] [--draw-sample 60] [--write-readme]
//
// Every sub-folder of a --corpus path is one corpus (its findings get a column). Inside a corpus, each folder that
// holds manifest files is linted on its own, as its owner would lint it: a folder is one application (one example of
// kubernetes/examples, one provider's ingress-nginx install), and linting unrelated applications as one set would link
// a Service of one to the pods of another. The peers' repositories are read where they are: nothing is copied.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSettings } from '../src/config.js';
import { lint } from '../src/engine.js';
import { type Input, kindOf } from '../src/files.js';
import { RULES } from '../src/registry.js';
import type { Finding } from '../src/rule.js';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const repoRoot = resolve(packageRoot, '../..');
const CLI = join(repoRoot, 'packages/cli/bin/zerodrop.js');

interface Options {
  corpora: string[];
  kubeScore?: string;
  kubeLinter?: string;
  polaris?: string;
  sample?: string;
  drawSample?: number;
  writeReadme: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { corpora: [], writeReadme: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--corpus') options.corpora.push(value());
    else if (flag === '--kube-score') options.kubeScore = value();
    else if (flag === '--kube-linter') options.kubeLinter = value();
    else if (flag === '--polaris') options.polaris = value();
    else if (flag === '--sample') options.sample = value();
    else if (flag === '--draw-sample') options.drawSample = Number(value());
    else if (flag === '--write-readme') options.writeReadme = true;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// Corpora

interface CorpusRun {
  name: string;
  root: string;
  units: number;
  files: number;
  objects: number;
  workloads: number;
  /** Files that did not parse (reported as input problems, not findings). */
  problems: number;
  /** Units whose lint threw: zerodrop crashed. */
  crashes: string[];
  findings: (Finding & { corpus: string; path: string })[];
  /** The CLI's JSON through a pipe: did it parse, and did it hold every finding? */
  pipe: { ok: boolean; detail: string };
}

/** Folders under `dir` (itself included) that hold manifest files directly, skipping dot-folders. */
function unitsOf(dir: string): string[][] {
  const units: string[][] = [];
  const visit = (d: string) => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    const files = entries.filter((e) => e.isFile() && kindOf(e.name) === 'manifest').map((e) => join(d, e.name));
    if (files.length > 0) units.push(files);
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) visit(join(d, e.name));
  };
  visit(dir);
  return units;
}

function runCorpus(name: string, root: string): CorpusRun {
  const run: CorpusRun = {
    name,
    root,
    units: 0,
    files: 0,
    objects: 0,
    workloads: 0,
    problems: 0,
    crashes: [],
    findings: [],
    pipe: { ok: false, detail: 'not run' },
  };
  const settings = defaultSettings();
  for (const files of unitsOf(root)) {
    run.units++;
    const inputs: Input[] = files.map((f) => ({ file: f, kind: 'manifest', text: readFileSync(f, 'utf8') }));
    run.files += inputs.length;
    try {
      const result = lint(inputs, settings);
      run.objects += result.summary.objects;
      run.workloads += result.summary.workloads;
      run.problems += result.problems.length;
      for (const f of result.findings) run.findings.push({ ...f, corpus: name, path: relative(root, f.file) });
    } catch (error) {
      run.crashes.push(`${relative(root, dirname(files[0]!))}: ${error instanceof Error ? error.message : error}`);
    }
  }
  run.pipe = pipeCheck(root);
  return run;
}

/**
 * The whole corpus through the CLI as one run, its JSON read from a pipe: a report cut short does not parse, and one
 * that parses must hold as many findings as the same run in-process.
 */
function pipeCheck(root: string): CorpusRun['pipe'] {
  const cli = spawnSync(process.execPath, [CLI, 'lint', root, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const bytes = Buffer.byteLength(cli.stdout ?? '');
  let parsed: { findings?: unknown[] };
  try {
    parsed = JSON.parse(cli.stdout);
  } catch {
    return { ok: false, detail: `JSON cut short after ${bytes} bytes (exit ${cli.status})` };
  }
  const files: Input[] = unitsOf(root)
    .flat()
    .map((f) => ({ file: f, kind: 'manifest', text: readFileSync(f, 'utf8') }));
  const expected = lint(files, defaultSettings()).findings.length;
  const got = parsed.findings?.length ?? 0;
  return got === expected
    ? { ok: true, detail: `${bytes} bytes, ${got} findings` }
    : { ok: false, detail: `${got} of ${expected} findings in ${bytes} bytes` };
}

// ---------------------------------------------------------------------------------------------------------------
// Peers

/** One peer test case on an overlapping check, and what zerodrop made of the same input. */
interface PeerCase {
  peer: 'kube-score' | 'kube-linter' | 'Polaris';
  /** The peer's check and the zerodrop rule it overlaps. */
  check: string;
  rule: string;
  /** file (and object, for kube-linter) */
  id: string;
  peerFires: boolean;
  zerodropFires: boolean;
  /** zerodrop's messages for the case, for the disagreement list. */
  messages: string[];
}

function lintFile(file: string): Finding[] {
  const text = readFileSync(file, 'utf8');
  return lint([{ file, kind: 'manifest', text }], defaultSettings()).findings;
}

const KUBE_SCORE_CHECKS: Record<string, string> = {
  'Pod Probes': 'readiness-probe-missing',
  'Pod Probes Identical': 'liveness-same-as-readiness',
  'Container Image Tag': 'image-tag-unpinned',
  'Container Resources': 'memory-limit-missing',
  'Deployment has PodDisruptionBudget': 'pdb-missing',
  'StatefulSet has PodDisruptionBudget': 'pdb-missing',
  'Deployment Strategy': 'rollout-recreate',
  'Deployment Replicas': 'replicas-single',
  'HorizontalPodAutoscaler Replicas': 'replicas-single',
};

/** kube-score: `score/*_test.go` calls with the default configuration, over `score/testdata`. */
function kubeScoreCases(root: string): PeerCase[] {
  const dir = join(root, 'score');
  const cases: PeerCase[] = [];
  const seen = new Set<string>();
  for (const name of readdirSync(dir).filter((f) => f.endsWith('_test.go'))) {
    const text = readFileSync(join(dir, name), 'utf8');
    const expectations: { file: string; check: string; fires: boolean }[] = [];
    for (const m of text.matchAll(/testExpectedScore\(t, "([^"]+)", "([^"]+)", scorecard\.Grade(\w+)\)/g))
      expectations.push({ file: m[1]!, check: m[2]!, fires: m[3] !== 'AllOK' });
    for (const m of text.matchAll(
      /testExpectedScoreWithConfig\(t, \[\]ks\.NamedReader\{testFile\("([^"]+)"\)\}, nil, nil, "([^"]+)", scorecard\.Grade(\w+)\)/g,
    ))
      expectations.push({ file: m[1]!, check: m[2]!, fires: m[3] !== 'AllOK' });
    for (const m of text.matchAll(
      /wasSkipped\(t,\s*\[\]ks\.NamedReader\{testFile\("([^"]+)"\)\}, nil, nil,\s*"([^"]+)"\)/g,
    ))
      expectations.push({ file: m[1]!, check: m[2]!, fires: false });
    for (const e of expectations) {
      const rule = KUBE_SCORE_CHECKS[e.check];
      const key = `${e.file} ${e.check}`;
      if (!rule || seen.has(key)) continue;
      seen.add(key);
      const findings = lintFile(join(dir, 'testdata', e.file)).filter((f) => f.rule === rule);
      cases.push({
        peer: 'kube-score',
        check: e.check,
        rule,
        id: e.file,
        peerFires: e.fires,
        zerodropFires: findings.length > 0,
        messages: findings.map((f) => f.message),
      });
    }
  }
  return cases;
}

/**
 * kube-linter: `tests/checks/<check>.yml` run by `e2etests/bats-tests.sh`. An object fires unless it is named
 * `dont-fire*` (the suite's convention), except where the bats test names the firing objects another way; the bats
 * `count` assertion is checked against that, so a change in the suite shows up here instead of a wrong number.
 */
const KUBE_LINTER_CHECKS: Record<string, { rule: string; kinds: string[]; fires?: string[] }> = {
  'latest-tag': { rule: 'image-tag-unpinned', kinds: ['Deployment', 'DeploymentConfig'] },
  'no-readiness-probe': { rule: 'readiness-probe-missing', kinds: ['Deployment', 'DeploymentConfig'] },
  'unset-memory-requirements': { rule: 'memory-limit-missing', kinds: ['Deployment', 'DeploymentConfig'] },
  'minimum-three-replicas': { rule: 'replicas-single', kinds: ['Deployment', 'DeploymentConfig'] },
  'hpa-minimum-three-replicas': { rule: 'replicas-single', kinds: ['HorizontalPodAutoscaler'] },
  'no-rolling-update-strategy': {
    rule: 'rollout-recreate',
    kinds: ['Deployment', 'DeploymentConfig'],
    fires: ['app1', 'app2'],
  },
  'pdb-max-unavailable': { rule: 'pdb-blocks-eviction', kinds: ['PodDisruptionBudget'], fires: ['foo'] },
  'pdb-min-available': { rule: 'pdb-blocks-eviction', kinds: ['PodDisruptionBudget'] },
};

function kubeLinterCases(root: string): PeerCase[] {
  const bats = readFileSync(join(root, 'e2etests/bats-tests.sh'), 'utf8');
  const cases: PeerCase[] = [];
  for (const [check, spec] of Object.entries(KUBE_LINTER_CHECKS)) {
    const file = ['yml', 'yaml'].map((e) => join(root, 'tests/checks', `${check}.${e}`)).find((f) => existsSync(f));
    if (!file) continue;
    const text = readFileSync(file, 'utf8');
    const objects = [...text.matchAll(/^kind: (\w+)\nmetadata:\n(?:[ ]+[^\n]*\n)*?[ ]+name: ([\w.-]+)/gm)]
      .map((m) => ({ kind: m[1]!, name: m[2]! }))
      .filter((o) => spec.kinds.includes(o.kind));
    const fires = (name: string) => (spec.fires ? spec.fires.includes(name) : !name.startsWith('dont-fire'));
    const block = bats.slice(bats.indexOf(`@test "${check}"`));
    const count = /count}" == "(\d+)"/.exec(block.slice(0, block.indexOf('\n}\n')))?.[1];
    const expected = objects.filter((o) => fires(o.name)).length;
    if (count !== undefined && Number(count) !== expected)
      throw new Error(`kube-linter ${check}: bats expects ${count} reports, the convention gives ${expected}`);
    const findings = lintFile(file).filter((f) => f.rule === spec.rule);
    for (const o of objects) {
      const mine = findings.filter((f) => f.object?.kind === o.kind && f.object.name === o.name);
      cases.push({
        peer: 'kube-linter',
        check,
        rule: spec.rule,
        id: `${check} ${o.kind} ${o.name}`,
        peerFires: fires(o.name),
        zerodropFires: mine.length > 0,
        messages: mine.map((f) => f.message),
      });
    }
  }
  return cases;
}

const POLARIS_CHECKS: Record<string, string> = {
  readinessProbeMissing: 'readiness-probe-missing',
  tagNotSpecified: 'image-tag-unpinned',
  memoryLimitsMissing: 'memory-limit-missing',
  missingPodDisruptionBudget: 'pdb-missing',
  pdbDisruptionsIsZero: 'pdb-blocks-eviction',
  pdbMinAvailableGreaterThanHPAMinReplicas: 'pdb-blocks-eviction',
  deploymentMissingReplicas: 'replicas-single',
  hpaMinAvailability: 'replicas-single',
};

/** Polaris: `test/checks/<check>/failure*.yaml` must fail the check, `success*.yaml` must pass it. */
function polarisCases(root: string): PeerCase[] {
  const cases: PeerCase[] = [];
  for (const [check, rule] of Object.entries(POLARIS_CHECKS)) {
    const dir = join(root, 'test/checks', check);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const fires = name.startsWith('failure');
      if (!fires && !name.startsWith('success')) continue;
      const findings = lintFile(join(dir, name)).filter((f) => f.rule === rule);
      cases.push({
        peer: 'Polaris',
        check,
        rule,
        id: `${check}/${name}`,
        peerFires: fires,
        zerodropFires: findings.length > 0,
        messages: findings.map((f) => f.message),
      });
    }
  }
  return cases;
}

/**
 * Why zerodrop judges a case differently from a peer, by case. Each reason is explained at length on the rule page
 * (section "Peers"); a disagreement missing here is printed as UNEXPLAINED.
 */
const ONE_REPLICA =
  'replicas left out is 1 (the Kubernetes default): a PDB cannot help one pod, so pdb-missing asks for one only from 2 replicas (replicas-single reports a single replica that serves traffic)';
const REASONS: Record<string, string> = {
  DeploymentConfig: 'OpenShift DeploymentConfig is not a kind zerodrop models',
  // kube-score
  'kube-score hpa-target-deployment.yaml':
    'the HPA lets the Deployment fall to 1 replica (minReplicas 1) and a Service sends it traffic: zerodrop reports that on the HPA; kube-score skips Deployment Replicas under an HPA',
  'kube-score statefulset-poddisruptionbudget-v1beta1-expression-no-match.yaml': ONE_REPLICA,
  'kube-score statefulset-poddisruptionbudget-v1beta1-no-match.yaml': ONE_REPLICA,
  'kube-score deployment-poddisruptionbudget-v1beta1-expression-no-match.yaml': ONE_REPLICA,
  'kube-score deployment-poddisruptionbudget-v1beta1-no-match.yaml': ONE_REPLICA,
  'kube-score deployment-poddisruptionbudget-v1-no-match.yaml': ONE_REPLICA,
  'kube-score deployment-poddisruptionbudget-v1-different-namespace.yaml': ONE_REPLICA,
  'kube-score pod-test-resources-only-limits.yaml':
    'the memory limit is set; kube-score also asks for requests, which zerodrop does not check',
  'kube-score deployment-test-resources.yaml':
    'the memory limit is set; kube-score also asks for requests, which zerodrop does not check',
  'kube-score statefulset-test-resources.yaml':
    'the memory limit is set; kube-score also asks for requests, which zerodrop does not check',
  // kube-linter
  'kube-linter minimum-three-replicas Deployment app':
    'kube-linter wants 3 replicas; zerodrop reports 1, since 2 already keep one pod serving through a drain or a rollout',
  'kube-linter hpa-minimum-three-replicas HorizontalPodAutoscaler app':
    'kube-linter wants minReplicas 3; zerodrop reports minReplicas 1 only, since 2 already keep one pod serving',
  'kube-linter no-readiness-probe Deployment app1':
    'serves no traffic: no port, no network readiness probe, no Service in the file',
  'kube-linter unset-memory-requirements Deployment app1':
    'kube-linter wants a memory request too; zerodrop asks for the limit only',
  'kube-linter no-rolling-update-strategy Deployment app1':
    'strategy type Other is not a strategy the API server accepts; zerodrop reports Recreate, the one that stops every pod first',
  'kube-linter pdb-max-unavailable PodDisruptionBudget foo':
    'the PDB has no selector, and a policy/v1 PDB without a selector selects no pod: it blocks nothing (pdb-selects-nothing reports it)',
  // Polaris
  'Polaris readinessProbeMissing/failure.yaml':
    'serves no traffic: a bare Pod with no port, no network readiness probe and no Service',
  'Polaris missingPodDisruptionBudget/failure.yaml': ONE_REPLICA,
  'Polaris missingPodDisruptionBudget/failure-bad-ns.yaml': ONE_REPLICA,
  'Polaris missingPodDisruptionBudget/failure.bad-name.yaml': ONE_REPLICA,
  'Polaris missingPodDisruptionBudget/failure.empty-labels.yaml': ONE_REPLICA,
  'Polaris missingPodDisruptionBudget/failure.no-labels.yaml': ONE_REPLICA,
  'Polaris missingPodDisruptionBudget/failure.no-metadata.yaml': ONE_REPLICA,
  'Polaris missingPodDisruptionBudget/failure.wrong-place.yaml': ONE_REPLICA,
  'Polaris pdbDisruptionsIsZero/failure.either.yaml':
    'apiVersion v1 has no PodDisruptionBudget (the API server refuses it); as policy/v1 it would have no selector and select no pod',
  'Polaris pdbDisruptionsIsZero/failure.max.yaml':
    'apiVersion v1 has no PodDisruptionBudget (the API server refuses it); as policy/v1 it would have no selector and select no pod',
  'Polaris pdbDisruptionsIsZero/failure.min.yaml':
    'apiVersion v1 has no PodDisruptionBudget (the API server refuses it); as policy/v1 it would have no selector and select no pod',
  'Polaris pdbMinAvailableGreaterThanHPAMinReplicas/success.equals.yaml':
    'minAvailable 5 with HPA minReplicas 5: at 5 pods the budget allows 0 evictions, so drains block; Polaris only flags a floor above minReplicas',
  'Polaris pdbMinAvailableGreaterThanHPAMinReplicas/success.hpa-no-match.yaml':
    'the HPA targets another Deployment, so this one runs 1 pod (the default) under minAvailable 5: 0 evictions allowed',
  'Polaris pdbMinAvailableGreaterThanHPAMinReplicas/success.no-hpa.yaml':
    'no HPA: the Deployment runs 1 pod (the default) under minAvailable 5: 0 evictions allowed',
  'Polaris pdbMinAvailableGreaterThanHPAMinReplicas/success.no-min-replicas.yaml':
    'an HPA without minReplicas scales down to 1 (the default), under minAvailable 2: 0 evictions allowed',
  'Polaris deploymentMissingReplicas/failure.yaml':
    'apiVersion v1 has no Deployment (the API server refuses it), and it has no container',
  'Polaris hpaMinAvailability/failure.yaml':
    'the HPA’s target is not in the file: whether it serves traffic cannot be told, so zerodrop says nothing',
};

function reasonOf(c: PeerCase): string | undefined {
  if (c.id.includes(' DeploymentConfig ')) return REASONS.DeploymentConfig;
  return REASONS[`${c.peer} ${c.id}`];
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-checked sample

interface SampleEntry {
  corpus: string;
  where: string;
  rule: string;
  verdict: 'TP' | 'FP';
  reason: string;
}

/** Rows `| n | corpus | path:line | rule | TP/FP | reason |` of the sample file. */
function readSample(file: string): SampleEntry[] {
  const out: SampleEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 7 || !/^\d+$/.test(cells[1] ?? '')) continue;
    const verdict = cells[5] as SampleEntry['verdict'];
    if (verdict !== 'TP' && verdict !== 'FP') continue;
    out.push({
      corpus: cells[2]!,
      where: cells[3]!.replace(/`/g, ''),
      rule: cells[4]!.replace(/`/g, ''),
      verdict,
      reason: cells[6]!,
    });
  }
  return out;
}

/**
 * A spread of findings over rules and corpora, the same on every run of the same code and input: each round takes one
 * finding of every rule (rules in id order); a rule's findings alternate between corpora, and within a corpus follow
 * a hash of their place, so the sample does not dwell on one file.
 */
function drawSample(runs: CorpusRun[], size: number): CorpusRun['findings'] {
  const hash = (s: string) => [...s].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
  const byRule = new Map<string, CorpusRun['findings']>();
  for (const rule of RULES.map((r) => r.meta.id)) {
    const perCorpus = runs
      .map((r) =>
        r.findings
          .filter((f) => f.rule === rule)
          .sort((a, b) => hash(`${a.path}:${a.line}`) - hash(`${b.path}:${b.line}`)),
      )
      .filter((list) => list.length > 0);
    const interleaved: CorpusRun['findings'] = [];
    for (let i = 0; perCorpus.some((list) => i < list.length); i++)
      for (const list of perCorpus) if (list[i]) interleaved.push(list[i]!);
    if (interleaved.length > 0) byRule.set(rule, interleaved);
  }
  const picked: CorpusRun['findings'] = [];
  for (let round = 0; picked.length < size; round++) {
    const taken = [...byRule.values()].map((list) => list[round]).filter((f) => f !== undefined);
    if (taken.length === 0) break;
    picked.push(...taken.slice(0, size - picked.length));
  }
  return picked;
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function report(runs: CorpusRun[], cases: PeerCase[], sample: SampleEntry[] | undefined, stale: string[]): string {
  const out: string[] = [];
  const rules = RULES.map((r) => r.meta.id).filter((id) => runs.some((r) => r.findings.some((f) => f.rule === id)));
  out.push(
    `Findings per rule on ${runs.length} corpora of public manifests (each folder linted on its own, default settings):`,
    '',
  );
  const count = (run: CorpusRun, rule?: string) =>
    String(run.findings.filter((f) => rule === undefined || f.rule === rule).length);
  out.push(
    table(
      ['rule', ...runs.map((r) => r.name)],
      [
        ...rules.map((rule) => [`[${rule}](../../docs/rules/${rule}.md)`, ...runs.map((r) => count(r, rule))]),
        ['**all findings**', ...runs.map((r) => `**${count(r)}**`)],
        ['folders / files / objects', ...runs.map((r) => `${r.units} / ${r.files} / ${r.objects}`)],
        ['workloads', ...runs.map((r) => String(r.workloads))],
        ['files that do not parse', ...runs.map((r) => String(r.problems))],
        ['crashes', ...runs.map((r) => String(r.crashes.length))],
        ['JSON through a pipe', ...runs.map((r) => (r.pipe.ok ? 'complete' : r.pipe.detail))],
      ],
    ),
  );
  if (cases.length > 0) {
    out.push('', 'Agreement with the peers on their own test suites, on the checks that overlap a zerodrop rule:', '');
    const peers = [...new Set(cases.map((c) => c.peer))];
    out.push(
      table(
        ['peer', 'overlapping checks', 'cases', 'agree', 'disagree (explained)'],
        peers.map((p) => {
          const mine = cases.filter((c) => c.peer === p);
          const disagree = mine.filter((c) => c.peerFires !== c.zerodropFires);
          return [
            p,
            [...new Set(mine.map((c) => `${c.check} → ${c.rule}`))].join('; '),
            String(mine.length),
            `${mine.length - disagree.length}/${mine.length}`,
            `${disagree.length} (${disagree.filter((c) => reasonOf(c)).length})`,
          ];
        }),
      ),
    );
    const disagreements = cases.filter((c) => c.peerFires !== c.zerodropFires);
    if (disagreements.length > 0) {
      out.push('', 'Every disagreement, grouped by reason (the rule pages say more under "Peers"):', '');
      const groups = new Map<string, PeerCase[]>();
      for (const c of disagreements) {
        const key = [c.peer, c.rule, c.peerFires, reasonOf(c) ?? 'UNEXPLAINED'].join('\u0000');
        groups.set(key, [...(groups.get(key) ?? []), c]);
      }
      out.push(
        table(
          ['peer', 'cases', 'peer says', 'zerodrop', 'why'],
          [...groups.values()].map((group) => {
            const c = group[0]!;
            return [
              c.peer,
              group.map((g) => `\`${g.id}\``).join(', '),
              c.peerFires ? 'reports' : 'passes',
              `${c.zerodropFires ? 'reports' : 'passes'} ([${c.rule}](../../docs/rules/${c.rule}.md#peers))`,
              reasonOf(c) ?? 'UNEXPLAINED',
            ];
          }),
        ),
      );
    }
  }
  if (sample) {
    const fp = sample.filter((s) => s.verdict === 'FP').length;
    out.push(
      '',
      `Hand-checked sample: **${sample.length} findings** on real manifests, each read against the manifest and Kubernetes' semantics, **${fp} false positive(s)** (${(100 * (fp / Math.max(1, sample.length))).toFixed(1)} %). Verdicts and reasons: [bench/precision-sample.md](bench/precision-sample.md).${stale.length ? ` ${stale.length} sampled finding(s) no longer reported by this code: ${stale.join(', ')}.` : ''}`,
    );
  }
  return out.join('\n');
}

const BEGIN = '<!-- precision:begin (generated by bench/precision.ts) -->';
const END = '<!-- precision:end -->';

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  if (options.corpora.length === 0) throw new Error('give at least one --corpus folder');
  const runs: CorpusRun[] = [];
  for (const corpus of options.corpora) {
    for (const name of readdirSync(corpus).sort()) {
      const root = join(corpus, name);
      if (statSync(root).isDirectory() && !name.startsWith('.')) runs.push(runCorpus(name, root));
    }
  }
  const cases = [
    ...(options.kubeScore ? kubeScoreCases(options.kubeScore) : []),
    ...(options.kubeLinter ? kubeLinterCases(options.kubeLinter) : []),
    ...(options.polaris ? polarisCases(options.polaris) : []),
  ];
  if (options.drawSample) {
    for (const [i, f] of drawSample(runs, options.drawSample).entries())
      console.log(
        `| ${i + 1} | ${f.corpus} | \`${f.path}:${f.line}\` | \`${f.rule}\` | ? | ${f.severity}: ${f.message} |`,
      );
    return;
  }
  let sample: SampleEntry[] | undefined;
  const stale: string[] = [];
  if (options.sample) {
    sample = readSample(options.sample);
    for (const s of sample) {
      const found = runs
        .find((r) => r.name === s.corpus)
        ?.findings.some((f) => `${f.path}:${f.line}` === s.where && f.rule === s.rule);
      if (!found) stale.push(`${s.corpus}/${s.where} ${s.rule}`);
    }
  }
  const text = report(runs, cases, sample, stale);
  for (const run of runs) for (const crash of run.crashes) console.error(`crash in ${run.name}: ${crash}`);
  for (const c of cases)
    if (c.peerFires !== c.zerodropFires && !reasonOf(c))
      console.error(`UNEXPLAINED ${c.peer} ${c.id}: peer ${c.peerFires}, zerodrop ${c.zerodropFires} ${c.messages}`);
  if (!options.writeReadme) {
    console.log(text);
    return;
  }
  const readme = join(packageRoot, 'README.md');
  const current = readFileSync(readme, 'utf8');
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`${readme} has no ${BEGIN} … ${END} section`);
  writeFileSync(readme, `${current.slice(0, start + BEGIN.length)}\n${text}\n${current.slice(end)}`);
  console.log(`wrote ${relative(process.cwd(), readme)} (${basename(readme)})`);
}

main();
