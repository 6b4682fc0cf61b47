import { ruleDocsUrl } from '@zerodrop/core';
import {
  collectOften,
  emptyInputMessage,
  FORMATS,
  favorMemory,
  formatChunks,
  type LintResult,
  type LintSettings,
  lintForReport,
  RULES,
} from '@zerodrop/lint';
import type { Command } from '../main.js';
import {
  CONFIG_OPTION,
  formatOption,
  inputsOf,
  PROFILE_OPTION,
  packageVersion,
  reportUserError,
  settingsFrom,
} from '../options.js';
import { colorEnabled, writeAll, writeChunks } from '../output.js';
import { type CommandSpec, parseArgs } from '../spec.js';

const spec: CommandSpec = {
  name: 'lint',
  summary: 'check manifests and Dockerfiles against the zero-downtime checklist',
  usage: '[paths...] [options]',
  description: `Checks Kubernetes manifests (YAML/JSON, multi-document, List kinds) and Dockerfiles against the zero-downtime
checklist. Paths may be files, folders (searched recursively for .yaml/.yml/.json, Dockerfile, *.Dockerfile,
Containerfile; symbolic links followed) or - for stdin. With no path, the current folder.`,
  operands: true,
  groups: [
    {
      title: 'Options',
      options: [
        formatOption(FORMATS),
        CONFIG_OPTION,
        PROFILE_OPTION,
        {
          name: 'allow-empty',
          description:
            'exit 0 when the paths hold no Kubernetes object and no Dockerfile (without it: exit 2, so an empty `helm template` output does not pass CI)',
        },
      ],
    },
  ],
  exitCodes:
    '0 no error-severity finding, 1 at least one, 2 bad arguments, config or input (a file that cannot be read or parsed, a field of a type Kubernetes rejects, nothing to check).',
  examples: [
    'zerodrop lint k8s/',
    'helm template ./chart | zerodrop lint -',
    'zerodrop lint deploy.yaml --format sarif > zerodrop.sarif',
  ],
  footer: [`Rules (${RULES.length}): ${RULES.map((r) => r.meta.id).join(', ')}`, `Docs: ${ruleDocsUrl('README')}`],
};

/**
 * Reads and lints the paths, a file at a time, each file's text let go once parsed. The result holds the findings
 * (a fix by its description) and problems only: a large input's memory is free again while its report is written.
 * Once everything is parsed, V8 favours memory over speed (see favorMemory).
 */
async function lintPaths(paths: readonly string[], settings: LintSettings): Promise<LintResult> {
  const { inputs, unreadable } = await inputsOf('lint', paths);
  const result = lintForReport(inputs, settings, RULES, { afterParse: favorMemory });
  result.problems.push(...unreadable);
  result.summary.files += unreadable.length;
  return result;
}

export const command: Command = {
  spec,
  async run(args) {
    const { paths, flags } = parseArgs(args, spec);
    const format = (flags.get('format') as (typeof FORMATS)[number] | undefined) ?? 'text';
    try {
      // This process lints and exits: the memory of a large input is given back as the run goes (see collectOften).
      collectOften();
      const result = await lintPaths(paths, settingsFrom(flags));
      const color = format === 'text' && colorEnabled(process.stdout);
      await writeChunks(process.stdout, formatChunks(result, format, { color, version: packageVersion() }));
      const empty = emptyInputMessage(paths, result);
      if (empty && !flags.has('allow-empty')) {
        await writeAll(process.stderr, `zerodrop lint: ${empty}\n`);
        return 2;
      }
      if (result.problems.length > 0) return 2;
      return result.summary.errors > 0 ? 1 : 0;
    } catch (error) {
      return reportUserError('lint', error);
    }
  },
};
