import { createInterface } from 'node:readline/promises';
import { renderFailureToRun, renderSummary, verdictOf } from '@zerodrop/rehearse';
import { type Trigger, VerifyError, type VerifyOptions, verify } from '@zerodrop/verify';
import { UsageError } from '../errors.js';
import { onInterrupt, prepareOutputs, progressWriter, writeResultFiles } from '../live.js';
import type { Command } from '../main.js';
import { numberFlag, stringFlag } from '../options.js';
import { CLEAR_LINE } from '../output.js';
import { type CommandSpec, valueOption as n, parseArgs } from '../spec.js';

const spec: CommandSpec = {
  name: 'verify',
  summary: 'count the dropped requests of a real rollout on a cluster, and say why each happened',
  usage: '--deployment NAME --url URL [options]',
  description: `Sends open-loop load (keep-alive clients) to --url, the ingress, load balancer or NodePort in front of the
Deployment, from before the trigger until the rollout is complete and the last old pod is gone, plus a settle period.
Meanwhile it watches the pods, EndpointSlices and Events through the API and ties every failed request to that
timeline: which pod, how long after its deletion, before or after its endpoint was removed, and the cause with the
lint rules that prevent it. Talks to the cluster as kubectl would (kubeconfig, context, or in-cluster), and asks
before changing anything unless --yes.`,
  groups: [
    {
      title: 'Cluster',
      options: [
        n('deployment', '<name>', 'the Deployment to verify (required)'),
        n('namespace', '<ns>', 'its namespace', { default: "the context's namespace, else default" }),
        n('kubeconfig', '<file>', 'kubeconfig file', { default: '$KUBECONFIG, ~/.kube/config, or in-cluster' }),
        n('context', '<name>', 'kubeconfig context', { default: 'the current context' }),
        n(
          'trigger',
          '<t>',
          'restart: patch the pod template like kubectl rollout restart; none: wait for a rollout someone starts; drain:NODE: cordon and evict like kubectl drain (PodDisruptionBudgets respected, 429s shown), then uncordon',
          { default: 'restart' },
        ),
        n('timeout', '<s>', 'seconds the rollout may take (with none: from the start of the wait)', {
          default: '600',
        }),
        { name: 'yes', description: 'change the cluster without asking first' },
      ],
    },
    {
      title: 'Load',
      options: [
        n(
          'url',
          '<url>',
          'where the load goes: the ingress, load balancer or NodePort in front of the Deployment (required)',
        ),
        n('path', '<path>', 'path and query of every request', { default: "the URL's" }),
        n('rate', '<req/s>', 'open-loop arrival rate', { default: '200' }),
        n('connections', '<n>', 'keep-alive client connections', { default: '16' }),
        n('request-timeout', '<ms>', 'per-request timeout', { default: '5000' }),
        n('warmup', '<s>', 'seconds of load before the trigger', { default: '3' }),
        n('settle', '<s>', 'seconds of load after the last old pod is gone', { default: '5' }),
      ],
    },
    {
      title: 'Output',
      options: [
        n('json', '<file>', 'write the result as JSON (missing folders are created)'),
        n('html', '<file>', 'write the HTML report with the timeline (missing folders are created)'),
      ],
    },
  ],
  exitCodes:
    '0 no request failed; 1 some requests failed; 2 could not run (bad arguments, no kubeconfig, missing permissions, no such Deployment or node, the URL does not answer before the trigger, the rollout did not complete within --timeout, not confirmed); 130 interrupted (the load stops, the cluster is left as it is, a node verify cordoned is uncordoned).',
  examples: [
    'zerodrop verify --deployment web --url http://203.0.113.7:30080/ --yes',
    'zerodrop verify --deployment web --namespace shop --url https://shop.example.com/health --trigger none --timeout 900 --json verify.json',
    'zerodrop verify --deployment web --url http://203.0.113.7:30080/ --trigger drain:node-2 --html drain.html',
  ],
  footer: [
    'The permissions it needs, as a Role and a ClusterRole: https://github.com/zerodrop/zerodrop/blob/main/packages/verify/README.md#rbac',
  ],
};

function parseTrigger(raw: string | undefined): Trigger {
  if (raw === undefined || raw === 'restart') return { kind: 'restart' };
  if (raw === 'none') return { kind: 'none' };
  if (raw.startsWith('drain:') && raw.length > 'drain:'.length)
    return { kind: 'drain', node: raw.slice('drain:'.length) };
  throw new UsageError(`--trigger must be restart, none or drain:NODE, got "${raw}"`);
}

/** The verify options from the command line. Throws UsageError. */
export function optionsFromArgs(args: readonly string[]): {
  options: VerifyOptions;
  out: { json?: string; html?: string };
  yes: boolean;
} {
  const { flags } = parseArgs(args, spec);
  const deployment = stringFlag(flags, 'deployment');
  const url = stringFlag(flags, 'url');
  if (deployment === undefined) throw new UsageError('--deployment NAME is required: the Deployment to verify');
  if (url === undefined) {
    throw new UsageError('--url URL is required: the ingress, load balancer or NodePort in front of the Deployment');
  }
  const namespace = stringFlag(flags, 'namespace');
  const kubeconfig = stringFlag(flags, 'kubeconfig');
  const context = stringFlag(flags, 'context');
  const path = stringFlag(flags, 'path');
  const json = stringFlag(flags, 'json');
  const html = stringFlag(flags, 'html');
  const options: VerifyOptions = {
    deployment,
    url,
    trigger: parseTrigger(stringFlag(flags, 'trigger')),
    ...(namespace ? { namespace } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(context ? { context } : {}),
    ...(path ? { path } : {}),
    load: {
      rate: numberFlag(flags, 'rate', 1) ?? 200,
      connections: numberFlag(flags, 'connections', 1, true) ?? 16,
      timeoutMs: numberFlag(flags, 'request-timeout', 1) ?? 5000,
    },
    timeoutSeconds: numberFlag(flags, 'timeout', 1) ?? 600,
    warmupMs: (numberFlag(flags, 'warmup', 0) ?? 3) * 1000,
    settleMs: (numberFlag(flags, 'settle', 0) ?? 5) * 1000,
  };
  return { options, out: { ...(json ? { json } : {}), ...(html ? { html } : {}) }, yes: flags.has('yes') };
}

/** Asks on the terminal; without one, refuses (a script must say --yes). */
async function askOnTerminal(change: string): Promise<boolean> {
  if (process.stdin.isTTY !== true) {
    throw new VerifyError(
      'NOT_CONFIRMED',
      `verify would ${change}, and there is no terminal to ask on: pass --yes to go ahead. Nothing was changed.`,
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // Ctrl-C at the question is a no: the terminal hands it to readline, not to the process.
  const asked = new AbortController();
  rl.on('SIGINT', () => asked.abort());
  try {
    const answer = await rl.question(`zerodrop verify will ${change}. Go ahead? [y/N] `, { signal: asked.signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch (error) {
    if ((error as Error).name === 'AbortError') return false;
    throw error;
  } finally {
    rl.close();
  }
}

async function run(args: string[]): Promise<number> {
  const { options, out, yes } = optionsFromArgs(args);
  prepareOutputs(out);
  const interrupt = onInterrupt('verify', 'stopping the load; the cluster is left as it is');
  const onProgress = progressWriter('verify');
  let asking = false;
  const result = await verify(
    {
      ...options,
      ...(yes
        ? {}
        : {
            confirm: async (change: string) => {
              asking = true;
              try {
                return await askOnTerminal(change);
              } finally {
                asking = false;
              }
            },
          }),
    },
    {
      signal: interrupt.signal,
      onProgress: (p) => {
        if (!asking) onProgress(p);
      },
      onNotice: (line) => {
        if (process.stderr.isTTY) process.stderr.write(CLEAR_LINE);
        console.error(`zerodrop verify: ${line}`);
      },
    },
  ).finally(() => interrupt.release());
  const verdict = verdictOf(result);
  if (verdict.status === 'error') {
    console.error(renderFailureToRun(result));
    // Measured until it stopped: the numbers go with the reason, under a title that says they are partial.
    if (result.requests.total > 0) {
      const { failed, total } = result.requests;
      const lines = renderSummary({ ...result, outcome: { status: 'completed' } }).split('\n');
      lines[0] = `zerodrop verify: measured until it stopped: ${failed} of ${total} requests failed`;
      console.log(lines.join('\n'));
    }
  } else console.log(renderSummary(result));
  return (await writeResultFiles('verify', result, out)) ?? verdict.exitCode;
}

export const command: Command = { spec, run };
