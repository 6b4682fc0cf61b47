import { writeFileSync } from 'node:fs';
import { fixInputs, STDIN, unifiedDiff } from '@zerodrop/lint';
import type { Command } from '../main.js';
import { CONFIG_OPTION, PROFILE_OPTION, readInputs, reportUserError, settingsFrom } from '../options.js';
import { type CommandSpec, parseArgs } from '../spec.js';

const spec: CommandSpec = {
  name: 'fix',
  summary: 'apply the safe fixes in place (comments and formatting kept)',
  usage: '[paths...] [options]',
  description: `Applies the safe fixes of \`zerodrop lint\` in place: preStop hooks and grace periods from the timeline arithmetic,
maxUnavailable/maxSurge, PodDisruptionBudgets, load-balancer health-check paths. Only the edited values change:
comments, key order and the rest of the formatting are kept. Running it twice changes nothing the second time.
A file that does not parse is never written. From stdin (-), the fixed text goes to stdout.`,
  operands: true,
  groups: [
    {
      title: 'Options',
      options: [
        { name: 'dry-run', description: 'print a unified diff instead of writing' },
        CONFIG_OPTION,
        PROFILE_OPTION,
      ],
    },
  ],
  exitCodes:
    '0 nothing left at error severity, 1 errors remain (not fixable automatically), 2 bad arguments, config or unreadable input.',
  examples: ['zerodrop fix k8s/ --dry-run', 'zerodrop fix deploy.yaml --profile gke-neg'],
};

export const command: Command = {
  spec,
  async run(args) {
    const { paths, flags } = parseArgs(args, spec);
    const dryRun = flags.has('dry-run');
    try {
      const settings = settingsFrom(flags);
      const { inputs, unreadable } = await readInputs('fix', paths);
      const outcome = fixInputs(inputs, settings);
      const problems = [...outcome.remaining.problems, ...unreadable];
      for (const p of problems)
        console.error(`zerodrop fix: ${p.file}:${p.line}:${p.column}: ${p.message} (not changed)`);
      for (const input of inputs) {
        const after = outcome.changed.get(input.file);
        if (input.file === STDIN) {
          if (!dryRun) process.stdout.write(after ?? input.text);
          else if (after !== undefined) process.stdout.write(unifiedDiff('stdin', input.text, after));
          continue;
        }
        if (after === undefined) continue;
        if (dryRun) process.stdout.write(unifiedDiff(input.file, input.text, after));
        else writeFileSync(input.file, after);
        const log = dryRun || inputs.some((i) => i.file === STDIN) ? console.error : console.log;
        for (const what of outcome.applied.get(input.file) ?? [])
          log(`${input.file}: ${dryRun ? 'would fix' : 'fixed'} ${what}`);
      }
      const left = outcome.remaining.findings.filter((f) => f.severity === 'error').length;
      if (left > 0)
        console.error(`zerodrop fix: ${left} error(s) need a manual change; run \`zerodrop lint\` to see them`);
      if (problems.length > 0) return 2;
      return left > 0 ? 1 : 0;
    } catch (error) {
      return reportUserError('fix', error);
    }
  },
};
