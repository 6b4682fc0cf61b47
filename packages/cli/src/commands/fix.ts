import {
  emptyInputMessage,
  FIELD_TYPE_ERROR,
  type FileWrite,
  fixInputs,
  STDIN,
  UserInputError,
  unifiedDiff,
  writeFilesAtomically,
} from '@zerodrop/lint';
import type { Command } from '../main.js';
import { CONFIG_OPTION, PROFILE_OPTION, readInputs, reportUserError, settingsFrom } from '../options.js';
import { Messages, writeAll } from '../output.js';
import { type CommandSpec, parseArgs } from '../spec.js';

const spec: CommandSpec = {
  name: 'fix',
  summary: 'apply the safe fixes in place (comments and formatting kept)',
  usage: '[paths...] [options]',
  description: `Applies the safe fixes of \`zerodrop lint\` in place: preStop hooks and grace periods from the timeline arithmetic,
maxUnavailable/maxSurge, PodDisruptionBudgets, load-balancer health-check paths. Only the edited values change:
comments, anchors, key order and the rest of the formatting are kept. Running it twice changes nothing the second
time. What would be written is parsed again first: a fix that would not parse strictly, or would change anything it
does not mean to (a value shared through a YAML alias, a comment), is refused with the reason, and that file keeps
its text. Files are replaced atomically, all or none; a file that does not parse is never written. From stdin (-),
the fixed text goes to stdout.`,
  operands: true,
  groups: [
    {
      title: 'Options',
      options: [
        { name: 'dry-run', description: 'print a unified diff instead of writing' },
        CONFIG_OPTION,
        PROFILE_OPTION,
        { name: 'allow-empty', description: 'exit 0 when the paths hold no Kubernetes object and no Dockerfile' },
      ],
    },
  ],
  exitCodes:
    '0 nothing left at error severity, 1 errors remain (not fixable automatically), 2 bad arguments, config or input, or a file that cannot be written (then no file is changed).',
  examples: ['zerodrop fix k8s/ --dry-run', 'zerodrop fix deploy.yaml --profile gke-neg'],
};

export const command: Command = {
  spec,
  async run(args) {
    const { paths, flags } = parseArgs(args, spec);
    const dryRun = flags.has('dry-run');
    const messages = new Messages();
    try {
      const settings = settingsFrom(flags);
      const { inputs, unreadable } = await readInputs('fix', paths);
      const outcome = fixInputs(inputs, settings);
      const problems = [...outcome.problems, ...unreadable];
      for (const p of problems) {
        const changed = outcome.changed.has(p.file);
        const effect = !changed ? ' (not changed)' : p.code === FIELD_TYPE_ERROR ? ' (this object is not fixed)' : '';
        messages.add(`zerodrop fix: ${p.file}:${p.line}:${p.column}: ${p.message}${effect}`);
      }
      const toStdin = inputs.some((i) => i.file === STDIN);
      const writes: FileWrite[] = [];
      const done: string[] = [];
      let out = '';
      for (const input of inputs) {
        const after = outcome.changed.get(input.file);
        if (input.file === STDIN) {
          if (!dryRun) out += after ?? input.text;
          else if (after !== undefined) out += unifiedDiff('stdin', input.text, after);
        } else if (after !== undefined) {
          if (dryRun) out += unifiedDiff(input.file, input.text, after);
          else
            writes.push({
              file: input.file,
              text: after,
              original: input.text,
              ...(input.encoding ? { encoding: input.encoding } : {}),
            });
        }
        if (after === undefined) continue;
        for (const what of outcome.applied.get(input.file) ?? [])
          done.push(`${input.file}: ${dryRun ? 'would fix' : 'fixed'} ${what}`);
      }
      for (const [file, reasons] of outcome.refused)
        for (const r of reasons) messages.add(`zerodrop fix: ${file}: ${r}`);
      if (!outcome.settled)
        messages.add('zerodrop fix: some fixes were still pending after the last pass; run zerodrop fix again');
      try {
        writeFilesAtomically(writes);
      } catch (error) {
        if (!(error instanceof UserInputError)) throw error;
        messages.add(`zerodrop fix: ${error.toString()}`);
        await messages.flush();
        await writeAll(process.stdout, out);
        return 2;
      }
      // What was fixed goes to stdout, unless stdout carries the fixed manifest or the diff.
      if (dryRun || toStdin) for (const line of done) messages.add(line);
      else out += done.map((l) => `${l}\n`).join('');
      const left = outcome.remaining.findings.filter((f) => f.severity === 'error').length;
      if (left > 0)
        messages.add(`zerodrop fix: ${left} error(s) need a manual change; run \`zerodrop lint\` to see them`);
      const empty = emptyInputMessage(paths, outcome.remaining);
      if (empty && !flags.has('allow-empty')) messages.add(`zerodrop fix: ${empty}`);
      await writeAll(process.stdout, out);
      await messages.flush();
      if (problems.length > 0 || (empty && !flags.has('allow-empty'))) return 2;
      return left > 0 ? 1 : 0;
    } catch (error) {
      await messages.flush();
      return reportUserError('fix', error);
    }
  },
};
