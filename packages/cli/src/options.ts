import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { PROFILE_IDS } from '@zerodrop/core';
import {
  defaultSettings,
  expandPaths,
  findConfig,
  type Input,
  type InputProblem,
  type LintSettings,
  loadConfig,
  readInput,
  readStdin,
  STDIN,
  UserInputError,
} from '@zerodrop/lint';
import { UsageError } from './errors.js';
import type { OptionSpec, ParsedArgs } from './spec.js';

/** Options several commands share, spelled and explained once. */
export const CONFIG_OPTION: OptionSpec = {
  name: 'config',
  value: '<file>',
  description: 'config file',
  default: '.zerodrop.yaml found from the current folder upward',
};

export const PROFILE_OPTION: OptionSpec = {
  name: 'profile',
  value: '<p>',
  choices: PROFILE_IDS,
  description: 'load-balancer profile for every workload',
  default: 'inferred from the manifests, else kube-proxy',
};

/** `--format`, with the formats one command writes. */
export function formatOption(formats: readonly string[]): OptionSpec {
  return { name: 'format', value: '<f>', choices: formats, description: 'output format', default: formats[0] };
}

/** Settings from `--config FILE`, else `.zerodrop.yaml` found from cwd upward, else defaults; `--profile` wins. */
export function settingsFrom(flags: ParsedArgs['flags']): LintSettings {
  const configFlag = flags.get('config');
  const configFile = typeof configFlag === 'string' ? configFlag : findConfig(process.cwd());
  const settings = configFile ? loadConfig(configFile) : defaultSettings();
  const profile = flags.get('profile');
  // The parser has checked it against PROFILE_IDS.
  if (typeof profile === 'string') settings.profile = profile as LintSettings['profile'];
  return settings;
}

/**
 * The inputs named by the paths (`.` when none), each read when an iteration reaches it: a run that parses one input
 * after the other holds one input's text at a time. Unreadable ones are added to `unreadable` as they are met. When
 * `-` would read a terminal, says so first: otherwise the command looks hung.
 */
export async function inputsOf(
  command: string,
  paths: readonly string[],
): Promise<{ inputs: Iterable<Input>; unreadable: InputProblem[] }> {
  const files = expandPaths(paths.length ? paths : ['.']);
  // isatty, not process.stdin.isTTY: opening stdin as a stream would make the pipe not block (see readStdin).
  if (files.includes(STDIN) && isatty(0)) {
    console.error(
      `zerodrop ${command}: reading manifests from the terminal: paste them and press Ctrl-D, or pipe them in ` +
        `(helm template ./chart | zerodrop ${command} -)`,
    );
  }
  let stdin = files.includes(STDIN) ? await readStdin() : undefined;
  let stdinUses = files.filter((f) => f === STDIN).length;
  const unreadable: InputProblem[] = [];
  function* read(): Generator<Input> {
    for (const file of files) {
      let input: Input;
      try {
        input = readInput(file, stdin);
      } catch (error) {
        if (!(error instanceof UserInputError)) throw error;
        unreadable.push({ file, line: 1, column: 1, code: error.code, message: error.message });
        continue;
      } finally {
        // The bytes of stdin are kept only until their last use.
        if (file === STDIN && --stdinUses === 0) stdin = undefined;
      }
      yield input;
    }
  }
  return { inputs: read(), unreadable };
}

/** Reads every input named by the paths (`.` when none), all at once; unreadable ones are returned as problems. */
export async function readInputs(
  command: string,
  paths: readonly string[],
): Promise<{ inputs: Input[]; unreadable: InputProblem[] }> {
  const { inputs, unreadable } = await inputsOf(command, paths);
  return { inputs: [...inputs], unreadable };
}

/** Prints a user-input error as `file:line:col: message` (no stack) and returns exit code 2. */
export function reportUserError(command: string, error: unknown): number {
  if (error instanceof UserInputError) {
    console.error(`zerodrop ${command}: ${error.toString()}`);
    return 2;
  }
  throw error;
}

/** zerodrop's version, from this package's package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** A numeric option: undefined when absent, a UsageError when not a number >= min (or not an integer). */
export function numberFlag(flags: ParsedArgs['flags'], name: string, min: number, integer = false): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw === true || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got "${raw}"`);
  }
  return value;
}

/** A valued option's value, or undefined. */
export function stringFlag(flags: ParsedArgs['flags'], name: string): string | undefined {
  const raw = flags.get(name);
  return typeof raw === 'string' ? raw : undefined;
}
