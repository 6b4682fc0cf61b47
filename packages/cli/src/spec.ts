import { UsageError } from './errors.js';

/**
 * What a command accepts, written once: `zerodrop help <command>`, `<command> --help`, the argument parser, the
 * "did you mean" suggestions and the README's flag lists all come from it.
 */
export interface OptionSpec {
  /** The long name without dashes: `format` for `--format`. */
  name: string;
  /** The placeholder of the value (`<file>`); absent for a switch. */
  value?: string;
  /** May be given several times; every value is kept, in order. */
  repeatable?: boolean;
  /** The accepted values: listed in the help and checked by the parser. */
  choices?: readonly string[];
  /** Shown as `(default: …)`; the command applies it. */
  default?: string;
  description: string;
}

/** An option that takes a value, in one line: `valueOption('rate', '<req/s>', 'arrival rate', { default: '200' })`. */
export function valueOption(
  name: string,
  value: string,
  description: string,
  extra: Partial<OptionSpec> = {},
): OptionSpec {
  return { name, value, description, ...extra };
}

export interface OptionGroup {
  /** `Options`, or a heading such as `Workload` when a command has many. */
  title: string;
  options: readonly OptionSpec[];
}

export interface CommandSpec {
  /** The words after `zerodrop`: `lint`, or `cluster start` for a subcommand. */
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** What follows `zerodrop <name> ` in the usage line: `[paths...] [options]`. */
  usage: string;
  /** Paragraphs shown under the usage line. */
  description?: string;
  groups: readonly OptionGroup[];
  /**
   * `true`: everything after `--` belongs to another program (rehearse's app command) and is returned untouched;
   * `false`: `--` only ends the options, and what follows are operands.
   */
  passThrough?: boolean;
  /** Whether the command takes operands (paths); a command that does not reports a stray word as an error. */
  operands?: boolean;
  exitCodes?: string;
  examples?: readonly string[];
  /** Lines after everything else (the list of rules, where the docs are). */
  footer?: readonly string[];
}

/** A command: either it runs, or it has subcommands (`zerodrop cluster start|stop|status`). */
export type Command =
  | { spec: CommandSpec; run(args: string[]): Promise<number>; subcommands?: undefined }
  | { spec: CommandSpec; subcommands: Readonly<Record<string, Command>>; run?: undefined };

export interface ParsedArgs {
  /** Words that are not options, in order. */
  paths: string[];
  /** The words after `--` when the spec passes them through; undefined when there was no `--`. */
  passThrough?: string[];
  /** Switches as `true`, single-valued options as their value. */
  flags: Map<string, string | true>;
  /** Every value of a repeatable option, in order. */
  lists: Map<string, string[]>;
}

function allOptions(spec: CommandSpec): OptionSpec[] {
  return spec.groups.flatMap((g) => g.options);
}

/** Levenshtein distance, small strings only. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The closest of `candidates` to a mistyped word, when it is close enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // Two edits for words of four letters or more (`lnit` → `lint`, `--formta` → `--format`), one below.
  const allowed = word.length >= 4 ? 2 : 1;
  if (best !== undefined && bestDistance <= allowed) return best;
  return candidates.find((c) => c.startsWith(word) && word.length >= 3);
}

/** ` Did you mean "x"?` or nothing. */
export function didYouMean(word: string, candidates: readonly string[], prefix = ''): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` Did you mean "${prefix}${match}"?`;
}

/**
 * Parses `[paths] [--flag value | --flag=value] [--switch] [-- ...]` against a spec. Unknown options, missing
 * values and values outside `choices` are UsageErrors that say what would have been right.
 */
export function parseArgs(args: readonly string[], spec: CommandSpec): ParsedArgs {
  const options = allOptions(spec);
  const parsed: ParsedArgs = { paths: [], flags: new Map(), lists: new Map() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      const rest = args.slice(i + 1);
      if (spec.passThrough) parsed.passThrough = rest;
      else parsed.paths.push(...rest);
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      parsed.paths.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(`unknown option "${arg}" (options are spelled --name)`);
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const option = options.find((o) => o.name === name);
    if (!option) {
      const names = options.map((o) => o.name);
      throw new UsageError(`unknown option "--${name}".${didYouMean(name, names, '--')}`);
    }
    if (option.value === undefined) {
      if (eq !== -1) throw new UsageError(`--${name} is a switch and takes no value`);
      parsed.flags.set(name, true);
      continue;
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) {
      throw new UsageError(`--${name} needs a value ${option.value}`);
    }
    if (option.choices && !option.choices.includes(value)) {
      throw new UsageError(
        `--${name} must be one of ${option.choices.join(', ')}, got "${value}".${didYouMean(value, option.choices)}`,
      );
    }
    if (option.repeatable) parsed.lists.set(name, [...(parsed.lists.get(name) ?? []), value]);
    else parsed.flags.set(name, value);
  }
  if (!spec.operands && parsed.paths.length > 0) {
    const hint = spec.passThrough ? `; put the command to run after --, e.g. \`-- ${parsed.paths.join(' ')}\`` : '';
    throw new UsageError(`unexpected "${parsed.paths[0]}"${hint}`);
  }
  return parsed;
}

/** Wraps `text` at `width` columns, every line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${' '.repeat(indent)}${l}`));
}

const HELP_WIDTH = 118;

/** The option's description with its choices and default, as the help shows it. */
function describeOption(option: OptionSpec): string {
  const parts = [option.choices ? `${option.description}: ${option.choices.join(', ')}` : option.description];
  if (option.default !== undefined) parts.push(`(default: ${option.default})`);
  if (option.repeatable) parts.push('(repeatable)');
  return parts.join(' ');
}

/** `zerodrop <name> --help`, generated from the spec. */
export function renderHelp(spec: CommandSpec, subcommands?: Readonly<Record<string, Command>>): string {
  const out = [`Usage: zerodrop ${spec.name} ${spec.usage}`];
  if (spec.description) out.push('', spec.description);
  if (subcommands) {
    const width = Math.max(...Object.keys(subcommands).map((n) => n.length));
    out.push('', 'Commands:');
    for (const [name, command] of Object.entries(subcommands)) {
      out.push(`  ${name.padEnd(width)}  ${command.spec.summary}`);
    }
    out.push('', `Run \`zerodrop help ${spec.name} <command>\` for the options of one command.`);
  }
  const heads = spec.groups.flatMap((g) => g.options.map((o) => `--${o.name}${o.value ? ` ${o.value}` : ''}`));
  const column = Math.min(28, Math.max(0, ...heads.map((h) => h.length))) + 4;
  for (const group of spec.groups) {
    if (group.options.length === 0) continue;
    out.push('', `${group.title}:`);
    for (const option of group.options) {
      const head = `  --${option.name}${option.value ? ` ${option.value}` : ''}`;
      const text = wrap(describeOption(option), HELP_WIDTH - column, column);
      if (head.length + 2 > column) out.push(head, `${' '.repeat(column)}${text.join('\n')}`);
      else out.push(`${head.padEnd(column)}${text.join('\n')}`);
    }
  }
  if (spec.exitCodes) out.push('', ...wrap(`Exit status: ${spec.exitCodes}`, HELP_WIDTH, 0));
  if (spec.examples?.length) out.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  if (spec.footer?.length) out.push('', ...spec.footer.flatMap((line) => wrap(line, HELP_WIDTH, 2)));
  return out.join('\n');
}
