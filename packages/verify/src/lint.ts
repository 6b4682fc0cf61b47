/**
 * The Deployment as the cluster has it, read through `zerodrop lint`, with the PodDisruptionBudgets and Services
 * that select its pods as context when the credentials may read them: the rules a failure points at are flagged
 * (or not) on the real object, not on a file that may differ from it.
 */
import {
  CoreV1Api,
  dumpYaml,
  type KubeConfig,
  type KubernetesObject,
  PolicyV1Api,
  type V1Deployment,
} from '@kubernetes/client-node';
import { matchesSelector, ruleDocsUrl } from '@zerodrop/core';
import { defaultSettings, findConfig, lint, loadConfig, UserInputError } from '@zerodrop/lint';
import type { LintNote } from '@zerodrop/rehearse';

/** What lint makes of the live objects, and what it could not read. */
export interface LiveLint {
  lint: { file: string; findings: LintNote[] };
  notes: string[];
}

/** Rules that need a PodDisruptionBudget in view to say anything true. */
const PDB_RULES = /^pdb-/;

/** An object as `kubectl get -o yaml` would print it, without what the cluster adds (status, managed fields). */
function asManifest(object: KubernetesObject, apiVersion: string, kind: string): string {
  const metadata = object.metadata ?? {};
  return dumpYaml({
    ...object,
    apiVersion,
    kind,
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      ...(metadata.labels ? { labels: metadata.labels } : {}),
      ...(metadata.annotations
        ? {
            annotations: Object.fromEntries(
              Object.entries(metadata.annotations).filter(([k]) => !k.startsWith('kubectl.kubernetes.io/last-applied')),
            ),
          }
        : {}),
    },
    status: undefined,
  });
}

export async function lintLiveDeployment(kc: KubeConfig, deployment: V1Deployment): Promise<LiveLint> {
  const namespace = deployment.metadata?.namespace ?? 'default';
  const name = deployment.metadata?.name ?? '';
  const labels = deployment.spec?.template.metadata?.labels ?? {};
  const notes: string[] = [];
  const documents = [asManifest(deployment, 'apps/v1', 'Deployment')];
  let pdbsRead = true;
  try {
    const pdbs = await kc.makeApiClient(PolicyV1Api).listNamespacedPodDisruptionBudget({ namespace });
    for (const pdb of pdbs.items) {
      if (pdb.spec?.selector && matchesSelector(labels, pdb.spec.selector as never)) {
        documents.push(asManifest(pdb, 'policy/v1', 'PodDisruptionBudget'));
      }
    }
  } catch {
    pdbsRead = false;
    notes.push('lint did not see the PodDisruptionBudgets (no permission to list them): the pdb-* rules are left out');
  }
  try {
    const services = await kc.makeApiClient(CoreV1Api).listNamespacedService({ namespace });
    for (const service of services.items) {
      const selector = service.spec?.selector;
      if (selector && Object.keys(selector).length > 0 && matchesSelector(labels, { matchLabels: selector })) {
        documents.push(asManifest(service, 'v1', 'Service'));
      }
    }
  } catch {
    notes.push('lint did not see the Services (no permission to list them)');
  }
  const file = `deployment/${name} in namespace ${namespace}`;
  let settings = defaultSettings();
  try {
    const config = findConfig(process.cwd());
    if (config) settings = loadConfig(config);
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    notes.push(`the lint config is not used: ${error.toString()}`);
  }
  const result = lint([{ file, kind: 'manifest', text: documents.join('---\n') }], settings);
  const findings = result.findings
    .filter((f) => pdbsRead || !PDB_RULES.test(f.rule))
    .map((f) => ({
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      // Line 0: a finding on the live object, which has no file line.
      line: 0,
      column: 0,
      url: ruleDocsUrl(f.rule),
    }));
  return { lint: { file, findings }, notes };
}
