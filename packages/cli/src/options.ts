import { readFileSync } from 'node:fs';
import { isProfileId, PROFILE_IDS } from '@zerodrop/core';
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

export interface ParsedArgs {
  paths: string[];
  flags: Map<string, string | true>;
}

/**
 * Parses `[paths] [--flag value] [--switch]`. `valued` lists the flags that take a value (`--format json` or
 * `--format=json`); unknown flags are usage errors.
 */
export function parseArgs(args: readonly string[], valued: readonly string[], switches: readonly string[]): ParsedArgs {
  const paths: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      paths.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option "${arg}"`);
      paths.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (valued.includes(name)) {
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else if (switches.includes(name) && eq === -1) flags.set(name, true);
    else throw new UsageError(`unknown option "--${name}"`);
  }
  return { paths, flags };
}

/** Settings from `--config FILE`, else `.zerodrop.yaml` found from cwd upward, else defaults; `--profile` wins. */
export function settingsFrom(flags: ParsedArgs['flags']): LintSettings {
  const configFlag = flags.get('config');
  const configFile = typeof configFlag === 'string' ? configFlag : findConfig(process.cwd());
  const settings = configFile ? loadConfig(configFile) : defaultSettings();
  const profile = flags.get('profile');
  if (typeof profile === 'string') {
    if (!isProfileId(profile)) throw new UsageError(`--profile must be one of ${PROFILE_IDS.join(', ')}`);
    settings.profile = profile;
  }
  return settings;
}

/** Reads every input named by the paths (`.` when none); unreadable ones are returned as problems. */
export async function readInputs(paths: readonly string[]): Promise<{ inputs: Input[]; unreadable: InputProblem[] }> {
  const files = expandPaths(paths.length ? paths : ['.']);
  const stdin = files.includes(STDIN) ? await readStdin() : undefined;
  const inputs: Input[] = [];
  const unreadable: InputProblem[] = [];
  for (const file of files) {
    try {
      inputs.push(readInput(file, stdin));
    } catch (error) {
      if (!(error instanceof UserInputError)) throw error;
      unreadable.push({ file, line: 1, column: 1, code: error.code, message: error.message });
    }
  }
  return { inputs, unreadable };
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
