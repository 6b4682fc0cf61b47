import { PROFILE_IDS } from '@zerodrop/core';
import {
  emptyInputMessage,
  FORMATS,
  formatChunks,
  isFormat,
  type LintResult,
  type LintSettings,
  lint,
  RULES,
} from '@zerodrop/lint';
import { UsageError } from '../errors.js';
import type { Command } from '../main.js';
import { packageVersion, parseArgs, readInputs, reportUserError, settingsFrom } from '../options.js';
import { writeAll, writeChunks } from '../output.js';

const help = `Usage: zerodrop lint [paths...] [options]

Checks Kubernetes manifests (YAML/JSON, multi-document, List kinds) and Dockerfiles against the zero-downtime
checklist. Paths may be files, folders (searched recursively for .yaml/.yml/.json, Dockerfile, *.Dockerfile,
Containerfile; symbolic links followed) or - for stdin. With no path, the current folder.

Options:
  --format <f>    text (default), json, sarif, github
  --config <file> config file (default: .zerodrop.yaml found from the current folder upward)
  --profile <p>   load-balancer profile for every workload: ${PROFILE_IDS.join(', ')}
                  (default: inferred from the manifests, else kube-proxy)
  --allow-empty   exit 0 when the paths hold no Kubernetes object and no Dockerfile (default: exit 2, so an empty
                  \`helm template\` output does not pass CI)

Exit codes: 0 no error-severity finding, 1 at least one, 2 bad arguments, config or input (a file that cannot be
read or parsed, a field of a type Kubernetes rejects, nothing to check).

Examples:
  zerodrop lint k8s/
  helm template ./chart | zerodrop lint -
  zerodrop lint deploy.yaml --format sarif > zerodrop.sarif

Rules (${RULES.length}): ${RULES.map((r) => r.meta.id).join(', ')}
Docs: docs/rules/README.md`;

/**
 * Reads and lints the paths. What a report needs of a fix is its description: the edits go, and with them the last
 * references to the parsed manifests, so a large input's memory is free again while its report is written.
 */
async function lintPaths(paths: readonly string[], settings: LintSettings): Promise<LintResult> {
  const { inputs, unreadable } = await readInputs(paths);
  const result = lint(inputs, settings);
  result.problems.push(...unreadable);
  result.summary.files += unreadable.length;
  for (const finding of result.findings)
    if (finding.fix) finding.fix = { description: finding.fix.description, edits: [] };
  return result;
}

export const command: Command = {
  help,
  async run(args) {
    const { paths, flags } = parseArgs(args, ['format', 'config', 'profile'], ['allow-empty']);
    const format = (flags.get('format') as string | undefined) ?? 'text';
    if (!isFormat(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    try {
      const result = await lintPaths(paths, settingsFrom(flags));
      const color = format === 'text' && process.stdout.isTTY === true && !process.env.NO_COLOR;
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
