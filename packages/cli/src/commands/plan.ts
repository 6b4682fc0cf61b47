import {
  buildWorkloadSet,
  computeTimeline,
  type EffectiveRollout,
  effectiveRollout,
  positionOf,
  profileOf,
  type RolloutDuration,
  rolloutDuration,
  servingOf,
  type TerminationSettings,
  type Timeline,
  terminationOf,
} from '@zerodrop/core';
import { type LintSettings, parseInputs } from '@zerodrop/lint';
import type { Command } from '../main.js';
import { CONFIG_OPTION, formatOption, PROFILE_OPTION, readInputs, reportUserError, settingsFrom } from '../options.js';
import { type CommandSpec, parseArgs } from '../spec.js';

const spec: CommandSpec = {
  name: 'plan',
  summary: 'print the termination timeline and the preStop/grace each workload needs',
  usage: '[paths...] [options]',
  description: `For each workload: the termination timeline with numbers (when each traffic consumer stops sending, preStop, stop
signal, drain, SIGKILL), the smallest safe preStop and terminationGracePeriodSeconds for its load-balancer profile
and why, and how long a rolling update takes with those values.`,
  operands: true,
  groups: [{ title: 'Options', options: [formatOption(['text', 'json']), CONFIG_OPTION, PROFILE_OPTION] }],
  exitCodes: '0 planned, 2 bad arguments, config or unreadable input.',
  examples: ['zerodrop plan k8s/deploy.yaml', 'zerodrop plan k8s/ --profile aws-alb --format json'],
};

interface ContainerPlan {
  name: string;
  termination: TerminationSettings;
  timeline: Timeline;
}

interface WorkloadPlan {
  workload: { kind: string; namespace: string; name: string; file: string; line: number };
  profile: { id: string; title: string; forced: boolean };
  /** Why its containers serve traffic, or why none does (then it has no termination timeline to plan). */
  serving: { containers: { name: string; reasons: string[] }[]; none?: string };
  containers: ContainerPlan[];
  rollout?: { effective: EffectiveRollout; podReadySeconds: number; duration: RolloutDuration };
}

function planAll(parsed: ReturnType<typeof parseInputs>, settings: LintSettings): WorkloadPlan[] {
  const set = buildWorkloadSet(parsed.manifests.flatMap((m) => m.objects));
  const options = {
    marginSeconds: settings.marginSeconds,
    ...(settings.propagationSeconds !== undefined ? { propagationSeconds: settings.propagationSeconds } : {}),
  };
  return set.workloads.map((w) => {
    const profile = profileOf(set, w, settings.profile);
    const serving = servingOf(set, w);
    const containers = serving.containers.map((c) => {
      const termination = terminationOf(w, c, settings.app);
      return { name: c.name, termination, timeline: computeTimeline(termination, profile, options) };
    });
    const plan: WorkloadPlan = {
      workload: { kind: w.kind, namespace: w.namespace, name: w.name, file: w.file, line: positionOf(w.doc).line },
      profile: { id: profile.id, title: profile.title, forced: settings.profile !== undefined },
      serving: {
        containers: serving.containers.map((c) => ({ name: c.name, reasons: serving.reasons.get(c) ?? [] })),
        ...(serving.none ? { none: serving.none } : {}),
      },
      containers,
    };
    if (w.kind === 'Deployment' || w.kind === 'Rollout') {
      const main = serving.containers[0] ?? w.containers[0];
      const probe = main?.readinessProbe?.resolved;
      // Ready after the first successful readiness probe: initial delay, then up to one period.
      const podReadySeconds = probe ? probe.initialDelaySeconds + probe.periodSeconds : 0;
      const first = containers[0];
      const terminationSeconds = first ? Math.min(first.timeline.drainedAtSeconds, first.timeline.sigkillAtSeconds) : 0;
      try {
        const effective = effectiveRollout(w.replicas, w.strategy);
        plan.rollout = {
          effective,
          podReadySeconds,
          duration: rolloutDuration({
            rollout: effective,
            podReadySeconds,
            minReadySeconds: w.minReadySeconds,
            terminationSeconds,
          }),
        };
      } catch {
        // An invalid maxSurge/maxUnavailable is reported by `zerodrop lint`; the timeline still stands.
      }
    }
    return plan;
  });
}

const fmt = (n: number) => `${Math.round(n * 100) / 100}s`;

function renderText(plans: WorkloadPlan[]): string {
  const out: string[] = [];
  for (const p of plans) {
    const w = p.workload;
    out.push(`${w.kind} ${w.namespace}/${w.name}  (${w.file}:${w.line})`);
    out.push(`  profile: ${p.profile.id} — ${p.profile.title}${p.profile.forced ? ' (configured)' : ''}`);
    if (p.serving.none) out.push(`  serves no traffic: ${p.serving.none}; no termination timeline to plan`);
    for (const c of p.serving.containers) out.push(`  container "${c.name}" serves: ${c.reasons.join('; ')}`);
    for (const c of p.containers) {
      const t = c.timeline;
      const delay = c.termination.appDelaySeconds ?? 0;
      out.push(
        `  container "${c.name}": preStop ${fmt(c.termination.preStopSeconds)}, grace ${fmt(c.termination.gracePeriodSeconds)}, ${delay ? `in-app delay ${fmt(delay)}, ` : ''}app drain ${fmt(c.termination.appDrainSeconds)}`,
      );
      out.push('    after the pod is deleted (t0 = 0s):');
      for (const e of t.events) out.push(`      ${fmt(e.atSeconds).padStart(8)}  ${e.actor.padEnd(14)} ${e.what}`);
      for (const cond of t.conditions) out.push(`    ${cond.ok ? 'ok  ' : 'FAIL'} ${cond.id}: ${cond.detail}`);
      out.push(
        `    smallest safe values: preStop ${fmt(t.required.preStopSeconds)} (the slowest consumer, ${fmt(t.consumersGoneAtSeconds)} worst case, + margin${delay ? ` - in-app delay ${fmt(delay)}` : ''}), terminationGracePeriodSeconds ${t.required.gracePeriodSeconds} (preStop + ${delay ? 'delay + ' : ''}drain + margin)`,
      );
    }
    if (p.rollout) {
      const r = p.rollout.effective;
      out.push(
        `  rolling update: ${r.type}, ${r.replicas} replica(s), maxSurge ${r.maxSurge}, maxUnavailable ${r.maxUnavailable}`,
      );
      for (const line of r.explanation) out.push(`    ${line}`);
      out.push(
        `    pods are taken as Ready ${fmt(p.rollout.podReadySeconds)} after they start (readinessProbe initial delay + one period)`,
      );
      for (const line of p.rollout.duration.explanation) out.push(`    ${line}`);
      out.push(`    peak pods: ${p.rollout.duration.peakPods} (replicas + surge + pods still terminating)`);
    }
    out.push('');
  }
  if (plans.length === 0) out.push('no workloads found', '');
  return out.join('\n');
}

export const command: Command = {
  spec,
  async run(args) {
    const { paths, flags } = parseArgs(args, spec);
    const format = (flags.get('format') as string | undefined) ?? 'text';
    try {
      const settings = settingsFrom(flags);
      const { inputs, unreadable } = await readInputs('plan', paths);
      const parsed = parseInputs(inputs);
      const problems = [...parsed.problems, ...unreadable];
      for (const p of problems) console.error(`zerodrop plan: ${p.file}:${p.line}:${p.column}: ${p.message}`);
      const plans = planAll(parsed, settings);
      process.stdout.write(
        format === 'json' ? `${JSON.stringify({ workloads: plans }, null, 2)}\n` : renderText(plans),
      );
      return problems.length > 0 ? 2 : 0;
    } catch (error) {
      return reportUserError('plan', error);
    }
  },
};
