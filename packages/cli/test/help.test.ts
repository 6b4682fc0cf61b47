import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PROFILE_IDS } from '@zerodrop/core';
import { command as rehearse } from '../src/commands/rehearse.js';
import { type Command, type CommandSpec, closest, parseArgs, renderHelp } from '../src/spec.js';
import { fixtureCopy, scratchDir, zerodrop } from './support/cli.js';

const ESC = '\u001b';
const bin = fileURLToPath(new URL('../../bin/zerodrop.js', import.meta.url));
const cwd = scratchDir();

describe('help', () => {
  test('`zerodrop help <command>` and `<command> --help` print the same page, exit 0', () => {
    for (const name of ['lint', 'fix', 'plan', 'rehearse']) {
      const a = zerodrop(['help', name], { cwd });
      const b = zerodrop([name, '--help'], { cwd });
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(a.stdout, b.stdout);
      assert.match(a.stdout, new RegExp(`^Usage: zerodrop ${name} `));
    }
  });

  test('the general help lists every command; no command at all is an error with the same list', () => {
    const help = zerodrop(['--help'], { cwd });
    assert.equal(help.code, 0);
    for (const name of ['lint', 'fix', 'plan', 'rehearse'])
      assert.match(help.stdout, new RegExp(`^  ${name} +\\w`, 'm'));
    const none = zerodrop([], { cwd });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: zerodrop <command>/);
  });

  test('rehearse: the help lists every profile it accepts, and accepts every profile it lists', () => {
    const page = zerodrop(['help', 'rehearse'], { cwd }).stdout;
    for (const id of PROFILE_IDS) {
      assert.ok(page.includes(id), `help lists ${id}`);
      assert.doesNotThrow(() => parseArgs(['--profile', id, '--', 'node', 'app.js'], rehearse.spec));
    }
    // Every option the parser takes is on the page.
    for (const option of rehearse.spec.groups.flatMap((g) => g.options)) {
      assert.match(page, new RegExp(`^  --${option.name}\\b`, 'm'), `--${option.name} is documented`);
    }
  });

  test('a --help that belongs to the app command (after --) is not the CLI help', () => {
    const r = zerodrop(['rehearse', '--rate', 'x', '--', 'node', 'app.js', '--help'], { cwd });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--rate must be a number/);
  });

  test('the lint help links to the rule pages on the web, not to a path of the repository', () => {
    const page = zerodrop(['help', 'lint'], { cwd }).stdout;
    assert.match(page, /Docs: https:\/\/github\.com\/\S+\/docs\/rules\/README\.md/);
  });
});

describe('mistakes', () => {
  test('a misspelt command: one short error with a suggestion, exit 2', () => {
    const r = zerodrop(['lnit', 'k8s/'], { cwd });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^zerodrop: unknown command "lnit"\. Did you mean "lint"\?/);
    assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
    const help = zerodrop(['help', 'rehaerse'], { cwd });
    assert.equal(help.code, 2);
    assert.match(help.stderr, /Did you mean "rehearse"\?/);
  });

  test('a misspelt option or value: the suggestion, exit 2, no stack trace', () => {
    const option = zerodrop(['lint', '--formta', 'json'], { cwd });
    assert.equal(option.code, 2);
    assert.match(option.stderr, /unknown option "--formta"\. Did you mean "--format"\?/);
    const value = zerodrop(['lint', '--format', 'jsno'], { cwd });
    assert.match(value.stderr, /--format must be one of text, json, sarif, github, got "jsno"\. Did you mean "json"\?/);
    const profile = zerodrop(['plan', '--profile', 'kube-prxy'], { cwd });
    assert.match(profile.stderr, /Did you mean "kube-proxy"\?/);
    assert.doesNotMatch(option.stderr + value.stderr + profile.stderr, /\n\s+at /);
  });

  test('the app command before -- is named as such', () => {
    const r = zerodrop(['rehearse', 'node', 'server.js'], { cwd });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unexpected "node"; put the command to run after --, e\.g\. `-- node server\.js`/);
  });
});

/** Runs the CLI with a terminal as stdin/stdout (util-linux `script`), typing `input` after a moment. */
function inTerminal(args: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const dir = fixtureCopy();
  const line = [process.execPath, bin, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qec', line, '/dev/null'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  setTimeout(() => child.stdin.end(input), 800);
  return new Promise((resolve) => child.on('close', () => resolve(out)));
}

describe('terminals', () => {
  test('`lint -` reading a terminal says so, then lints what was typed', async () => {
    const out = await inTerminal(['lint', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n\u0004');
    assert.match(out, /zerodrop lint: reading manifests from the terminal: paste them and press Ctrl-D/);
    assert.match(out, /1 object\(s\)/);
  });

  test('colour on a terminal, none with NO_COLOR, none into a pipe', async () => {
    const coloured = await inTerminal(['lint', 'bad'], '');
    assert.ok(coloured.includes(`${ESC}[31merror`), coloured);
    const plain = await inTerminal(['lint', 'bad'], '', { NO_COLOR: '1' });
    assert.ok(!plain.includes(ESC), plain);
    const dir = fixtureCopy();
    const piped = zerodrop(['lint', 'bad'], { cwd: dir, env: { NO_COLOR: undefined } });
    assert.match(piped.stdout, /error/);
    assert.ok(!(piped.stdout + piped.stderr).includes(ESC));
  });
});

describe('one spec for parser and help', () => {
  const start: CommandSpec = {
    name: 'cluster start',
    summary: 'start the local control plane',
    usage: '[options]',
    groups: [{ title: 'Options', options: [{ name: 'nodes', value: '<n>', description: 'nodes', default: '1' }] }],
  };
  const cluster: Command = {
    spec: { name: 'cluster', summary: 'a local control plane', usage: '<command> [options]', groups: [] },
    subcommands: { start: { spec: start, run: async () => 0 } },
  };

  test('a command with subcommands lists them; a subcommand documents its own options', () => {
    const page = renderHelp(cluster.spec, cluster.subcommands);
    assert.match(page, /^Commands:\n {2}start {2}start the local control plane$/m);
    assert.match(renderHelp(start), /^ {2}--nodes <n> +nodes \(default: 1\)$/m);
  });

  test('parser: values, switches, repeatable options, pass-through after --', () => {
    const parsed = parseArgs(
      ['--rate=5', '--env', 'A=1', '--verbose', '--env', 'B=2', '--', 'node', '-x'],
      rehearse.spec,
    );
    assert.equal(parsed.flags.get('rate'), '5');
    assert.equal(parsed.flags.get('verbose'), true);
    assert.deepEqual(parsed.lists.get('env'), ['A=1', 'B=2']);
    assert.deepEqual(parsed.passThrough, ['node', '-x']);
    assert.throws(() => parseArgs(['--verbose=yes'], rehearse.spec), /--verbose is a switch/);
    assert.throws(() => parseArgs(['--rate'], rehearse.spec), /--rate needs a value <req\/s>/);
    assert.throws(() => parseArgs(['--rate', '--speed', '2'], rehearse.spec), /--rate needs a value/);
  });

  test('suggestions: close words only', () => {
    assert.equal(closest('lnit', ['lint', 'fix', 'plan', 'rehearse']), 'lint');
    assert.equal(closest('rehers', ['lint', 'fix', 'plan', 'rehearse']), 'rehearse');
    assert.equal(closest('deploy', ['lint', 'fix', 'plan', 'rehearse']), undefined);
  });
});
