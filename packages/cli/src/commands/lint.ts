import { PROFILE_IDS } from '@zerodrop/core';
import { FORMATS, formatResult, isFormat, lint, RULES } from '@zerodrop/lint';
import { UsageError } from '../errors.js';
import type { Command } from '../main.js';
import { packageVersion, parseArgs, readInputs, reportUserError, settingsFrom } from '../options.js';

const help = `Usage: zerodrop lint [paths...] [options]

Checks Kubernetes manifests (YAML/JSON, multi-document, List kinds) and Dockerfiles against the zero-downtime
checklist. Paths may be files, folders (searched recursively for .yaml/.yml/.json, Dockerfile, *.Dockerfile,
Containerfile) or - for stdin. With no path, the current folder.

Options:
  --format <f>    text (default), json, sarif, github
  --config <file> config file (default: .zerodrop.yaml found from the current folder upward)
  --profile <p>   load-balancer profile for every workload: ${PROFILE_IDS.join(', ')}
                  (default: inferred from the manifests, else kube-proxy)

Exit codes: 0 no error-severity finding, 1 at least one, 2 bad arguments, config or unreadable input.

Examples:
  zerodrop lint k8s/
  helm template ./chart | zerodrop lint -
  zerodrop lint deploy.yaml --format sarif > zerodrop.sarif

Rules (${RULES.length}): ${RULES.map((r) => r.meta.id).join(', ')}
Docs: docs/rules/README.md`;

export const command: Command = {
  help,
  async run(args) {
    const { paths, flags } = parseArgs(args, ['format', 'config', 'profile'], []);
    const format = (flags.get('format') as string | undefined) ?? 'text';
    if (!isFormat(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    try {
      const settings = settingsFrom(flags);
      const { inputs, unreadable } = await readInputs(paths);
      const result = lint(inputs, settings);
      result.problems.push(...unreadable);
      result.summary.files += unreadable.length;
      const color = format === 'text' && process.stdout.isTTY === true && !process.env.NO_COLOR;
      process.stdout.write(formatResult(result, format, { color, version: packageVersion() }));
      if (result.problems.length > 0) return 2;
      return result.summary.errors > 0 ? 1 : 0;
    } catch (error) {
      return reportUserError('lint', error);
    }
  },
};
