import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** One entry per subcommand; each lives in `src/commands/<name>.ts` and exports `command`. */
const COMMANDS = {
  lint: 'check manifests and Dockerfiles against the zero-downtime checklist',
  fix: 'apply the safe fixes in place (comments and formatting kept)',
  plan: 'print the termination timeline and the preStop/grace each workload needs',
  rehearse: 'run a rolling update of the real app locally, under load, and count every lost request',
  cluster: 'start, stop or check a local real Kubernetes control plane whose pods run as local processes',
} as const;

export type CommandName = keyof typeof COMMANDS;

/** What a subcommand module exports as `command`. */
export interface Command {
  /** Full `--help` text. */
  help: string;
  /** Runs the command; resolves to the process exit code. Throws UsageError for bad arguments. */
  run(args: string[]): Promise<number>;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, what]) => `  ${name.padEnd(width)}  ${what}`);
  return [
    'Usage: zerodrop <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `zerodrop <command> --help` for the options of one command.',
    'Docs: https://github.com/zerodrop/zerodrop#readme',
  ].join('\n');
}

/** Entry point of the `zerodrop` binary. Never throws for user input: prints a message and returns 2. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  if (!(name in COMMANDS)) {
    console.error(`zerodrop: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const mod = (await import(`./commands/${name}.js`)) as { command: Command };
  if (rest.includes('--help') || rest.includes('-h')) {
    const dashDash = rest.indexOf('--');
    const helpAt = Math.max(rest.indexOf('--help'), rest.indexOf('-h'));
    if (dashDash === -1 || helpAt < dashDash) {
      console.log(mod.command.help);
      return 0;
    }
  }
  try {
    return await mod.command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`zerodrop ${name}: ${error.message}\nRun \`zerodrop ${name} --help\` for usage.`);
      return 2;
    }
    throw error;
  }
}
