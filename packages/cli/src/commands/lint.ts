import { ruleDocsUrl } from '@zerodrop/core';
import { FORMATS, formatResult, lint, RULES } from '@zerodrop/lint';
import type { Command } from '../main.js';
import {
  CONFIG_OPTION,
  formatOption,
  PROFILE_OPTION,
  packageVersion,
  readInputs,
  reportUserError,
  settingsFrom,
} from '../options.js';
import { colorEnabled } from '../output.js';
import { type CommandSpec, parseArgs } from '../spec.js';

const spec: CommandSpec = {
  name: 'lint',
  summary: 'check manifests and Dockerfiles against the zero-downtime checklist',
  usage: '[paths...] [options]',
  description: `Checks Kubernetes manifests (YAML/JSON, multi-document, List kinds) and Dockerfiles against the zero-downtime
checklist. Paths may be files, folders (searched recursively for .yaml/.yml/.json, Dockerfile, *.Dockerfile,
Containerfile) or - for stdin. With no path, the current folder.`,
  operands: true,
  groups: [{ title: 'Options', options: [formatOption(FORMATS), CONFIG_OPTION, PROFILE_OPTION] }],
  exitCodes: '0 no error-severity finding, 1 at least one, 2 bad arguments, config or unreadable input.',
  examples: [
    'zerodrop lint k8s/',
    'helm template ./chart | zerodrop lint -',
    'zerodrop lint deploy.yaml --format sarif > zerodrop.sarif',
  ],
  footer: [`Rules (${RULES.length}): ${RULES.map((r) => r.meta.id).join(', ')}`, `Docs: ${ruleDocsUrl('README')}`],
};

export const command: Command = {
  spec,
  async run(args) {
    const { paths, flags } = parseArgs(args, spec);
    const format = (flags.get('format') as (typeof FORMATS)[number] | undefined) ?? 'text';
    try {
      const settings = settingsFrom(flags);
      const { inputs, unreadable } = await readInputs('lint', paths);
      const result = lint(inputs, settings);
      result.problems.push(...unreadable);
      result.summary.files += unreadable.length;
      const color = format === 'text' && colorEnabled(process.stdout);
      process.stdout.write(formatResult(result, format, { color, version: packageVersion() }));
      if (result.problems.length > 0) return 2;
      return result.summary.errors > 0 ? 1 : 0;
    } catch (error) {
      return reportUserError('lint', error);
    }
  },
};
