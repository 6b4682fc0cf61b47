import { PROJECT_URL } from '@zerodrop/core';
import { UsageError } from './errors.js';
import { packageVersion } from './options.js';
import { type Command, didYouMean, renderHelp } from './spec.js';

export type { Command } from './spec.js';

/**
 * Every command, loaded only when used. A command lives in `src/commands/<name>.ts` and exports `command` (a spec
 * and a run function, or a spec and subcommands); adding one is one line here.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  lint: async () => (await import('./commands/lint.js')).command,
  fix: async () => (await import('./commands/fix.js')).command,
  plan: async () => (await import('./commands/plan.js')).command,
  rehearse: async () => (await import('./commands/rehearse.js')).command,
  cluster: async () => (await import('./commands/cluster.js')).command,
  verify: async () => (await import('./commands/verify.js')).command,
};

export type CommandName = keyof typeof COMMANDS;

/** The general help: the commands with one line each. */
export async function usage(): Promise<string> {
  const commands = await Promise.all(
    Object.entries(COMMANDS).map(async ([name, load]) => [name, await load()] as const),
  );
  const width = Math.max(...commands.map(([name]) => name.length));
  return [
    'Usage: zerodrop <command> [options]',
    '',
    'Commands:',
    ...commands.map(([name, command]) => `  ${name.padEnd(width)}  ${command.spec.summary}`),
    '',
    'Run `zerodrop help <command>` (or `zerodrop <command> --help`) for the options of one command.',
    `Docs: ${PROJECT_URL}#readme`,
  ].join('\n');
}

/** Finds the command named by the first words of argv (`cluster start` → its subcommand). */
async function resolve(argv: readonly string[]): Promise<{ command: Command; path: string[]; rest: string[] }> {
  const [name, ...rest] = argv;
  const load = name === undefined ? undefined : COMMANDS[name];
  if (name === undefined || !load) {
    throw new UsageError(
      `unknown command "${name}".${didYouMean(name ?? '', Object.keys(COMMANDS))} Run \`zerodrop --help\` for the list.`,
    );
  }
  let command = await load();
  const path = [name];
  while (command.subcommands) {
    const [sub, ...after] = rest;
    if (sub === undefined || sub.startsWith('-')) break;
    const next = command.subcommands[sub];
    if (!next) {
      const names = Object.keys(command.subcommands);
      throw new UsageError(
        `unknown command "${path.join(' ')} ${sub}".${didYouMean(sub, names)} It takes one of: ${names.join(', ')}.`,
      );
    }
    command = next;
    path.push(sub);
    rest.splice(0, rest.length, ...after);
  }
  return { command, path, rest };
}

/** `--help` or `-h` among the options, not in the part after `--` that belongs to another program. */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const options = end === -1 ? args : args.slice(0, end);
  return options.includes('--help') || options.includes('-h');
}

/** Entry point of the `zerodrop` binary. Never throws for user input: prints a message and returns 2. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    console.error(await usage());
    return 2;
  }
  if (first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
    console.log(await usage());
    return 0;
  }
  if (first === '--version' || first === '-v') {
    console.log(packageVersion());
    return 0;
  }
  const wantsHelp = first === 'help';
  let resolved: Awaited<ReturnType<typeof resolve>>;
  try {
    resolved = await resolve(wantsHelp ? rest : argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`zerodrop: ${error.message}`);
    return 2;
  }
  const { command, path, rest: args } = resolved;
  const name = path.join(' ');
  if (wantsHelp || asksForHelp(args)) {
    console.log(renderHelp(command.spec, command.subcommands));
    return 0;
  }
  if (!command.run) {
    // A command of subcommands, called without one: which it takes, as an error, then its help.
    const names = Object.keys(command.subcommands);
    const which = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
    console.error(`zerodrop ${name}: say what to do: ${which}\n\n${renderHelp(command.spec, command.subcommands)}`);
    return 2;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`zerodrop ${name}: ${error.message}\nRun \`zerodrop help ${name}\` for usage.`);
      return 2;
    }
    throw error;
  }
}
