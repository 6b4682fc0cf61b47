import { shellScriptOf } from './shell.js';

/** One Dockerfile instruction, continuation lines joined. */
export interface DockerInstruction {
  /** Upper-cased keyword: FROM, CMD, ENTRYPOINT, USER, STOPSIGNAL, ... */
  keyword: string;
  /** Text after the keyword, continuations joined with a space. */
  value: string;
  /** 1-based line of the keyword and of the instruction's last line. */
  line: number;
  endLine: number;
  /** Column (1-based) of the keyword. */
  column: number;
  /** For CMD/ENTRYPOINT/RUN/SHELL: the JSON array of the exec form, undefined in shell form. */
  exec?: string[];
}

export interface DockerStage {
  /** Index among the FROM stages (0-based). */
  index: number;
  from: DockerInstruction;
  image: string;
  /** `FROM image AS name`. */
  name?: string;
  instructions: DockerInstruction[];
  /** The last of each, in this stage (Docker keeps only the last one). */
  cmd?: DockerInstruction;
  entrypoint?: DockerInstruction;
  user?: DockerInstruction;
  stopSignal?: DockerInstruction;
  shell?: DockerInstruction;
}

export interface Dockerfile {
  file: string;
  text: string;
  instructions: DockerInstruction[];
  stages: DockerStage[];
}

/** How a container's main process is started: argv, and whether a shell stands between the kubelet and the app. */
export interface StartCommand {
  argv: string[];
  /** Shell-form CMD/ENTRYPOINT: Docker runs `/bin/sh -c "<text>"`. */
  shellForm: boolean;
}

function execForm(value: string): string[] | undefined {
  const trimmed = value.trim();
  if (!trimmed.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) && parsed.every((v) => typeof v === 'string') ? (parsed as string[]) : undefined;
  } catch {
    // Docker treats an invalid JSON array as shell form.
    return undefined;
  }
}

const EXEC_KEYWORDS = new Set(['CMD', 'ENTRYPOINT', 'RUN', 'SHELL']);

/**
 * Parses a Dockerfile into instructions (with lines) and stages. Comments, blank lines, parser directives and
 * heredoc bodies are skipped; a line ending in the escape character continues on the next line.
 */
export function parseDockerfile(text: string, file: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  let escapeChar = '\\';
  const instructions: DockerInstruction[] = [];
  let directivesAllowed = true;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    const directive = /^#\s*escape\s*=\s*(\S)\s*$/i.exec(trimmed);
    if (directivesAllowed && directive) {
      escapeChar = directive[1]!;
      continue;
    }
    if (trimmed === '' || trimmed.startsWith('#')) {
      if (trimmed === '') directivesAllowed = false;
      continue;
    }
    directivesAllowed = false;
    const startLine = i + 1;
    const column = raw.length - raw.trimStart().length + 1;
    // Continuation lines are collected and joined once: growing one string line by line is quadratic.
    const parts: string[] = [];
    let line = trimmed;
    while (line.endsWith(escapeChar) && i + 1 < lines.length) {
      parts.push(line.slice(0, -1));
      i++;
      line = (lines[i] ?? '').trim();
      // A comment inside a continuation is dropped; the continuation goes on after it.
      while (line.startsWith('#') && i + 1 < lines.length) line = (lines[++i] ?? '').trim();
      if (line.startsWith('#')) line = '';
    }
    parts.push(line.endsWith(escapeChar) ? line.slice(0, -1) : line);
    const joined = parts.join(' ');
    const m = /^(\S+)\s*(.*)$/s.exec(joined);
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    const value = (m[2] ?? '').replace(/\s+/g, ' ').trim();
    const instruction: DockerInstruction = { keyword, value, line: startLine, endLine: i + 1, column };
    if (EXEC_KEYWORDS.has(keyword)) {
      const exec = execForm(value);
      if (exec) instruction.exec = exec;
    }
    instructions.push(instruction);
    const heredoc = /<<-?\s*["']?(\w+)["']?/.exec(value);
    if (heredoc && keyword !== 'FROM') {
      const end = heredoc[1];
      while (i + 1 < lines.length && (lines[i + 1] ?? '').trim() !== end) i++;
      i++;
      instruction.endLine = i + 1;
    }
  }
  const stages: DockerStage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const parts = ins.value.split(' ').filter((p) => !p.startsWith('--'));
      const stage: DockerStage = { index: stages.length, from: ins, image: parts[0] ?? '', instructions: [] };
      if (parts[1]?.toUpperCase() === 'AS' && parts[2]) stage.name = parts[2];
      stages.push(stage);
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) continue;
    stage.instructions.push(ins);
    if (ins.keyword === 'CMD') stage.cmd = ins;
    else if (ins.keyword === 'ENTRYPOINT') stage.entrypoint = ins;
    else if (ins.keyword === 'USER') stage.user = ins;
    else if (ins.keyword === 'STOPSIGNAL') stage.stopSignal = ins;
    else if (ins.keyword === 'SHELL') stage.shell = ins;
  }
  // A stage built FROM an earlier stage inherits its CMD/ENTRYPOINT/USER/STOPSIGNAL.
  const named = new Map<string, DockerStage>();
  for (const stage of stages) {
    const parent = named.get(stage.image);
    if (stage.name !== undefined && !named.has(stage.name)) named.set(stage.name, stage);
    if (!parent) continue;
    stage.cmd ??= parent.cmd;
    stage.entrypoint ??= parent.entrypoint;
    stage.user ??= parent.user;
    stage.stopSignal ??= parent.stopSignal;
    stage.shell ??= parent.shell;
  }
  return { file, text, instructions, stages };
}

/** The stage that becomes the image (the last one; `docker build --target` aside). */
export function finalStage(dockerfile: Dockerfile): DockerStage | undefined {
  return dockerfile.stages[dockerfile.stages.length - 1];
}

function shellOf(stage: DockerStage): string[] {
  return stage.shell?.exec ?? ['/bin/sh', '-c'];
}

/** argv of one CMD/ENTRYPOINT instruction: the exec array, or the shell wrapping the text. */
function argvOf(stage: DockerStage, ins: DockerInstruction): StartCommand {
  return ins.exec ? { argv: ins.exec, shellForm: false } : { argv: [...shellOf(stage), ins.value], shellForm: true };
}

/**
 * What the image runs as PID 1, combining ENTRYPOINT and CMD as Docker does (a shell-form ENTRYPOINT ignores CMD).
 * `command`/`args` from a Kubernetes container override ENTRYPOINT/CMD the same way.
 */
export function startCommandOf(
  stage: DockerStage,
  override: { command?: string[] | undefined; args?: string[] | undefined } = {},
): StartCommand | undefined {
  if (override.command) return { argv: [...override.command, ...(override.args ?? [])], shellForm: false };
  const entry = stage.entrypoint ? argvOf(stage, stage.entrypoint) : undefined;
  if (entry?.shellForm) return entry;
  const cmd = override.args
    ? { argv: override.args, shellForm: false }
    : stage.cmd
      ? argvOf(stage, stage.cmd)
      : undefined;
  if (!entry) return cmd;
  return { argv: [...entry.argv, ...(cmd?.argv ?? [])], shellForm: false };
}

/** Package-manager launchers that do not forward SIGTERM to the app they start (or not reliably). */
const LAUNCHERS = /^(npm|yarn|pnpm|npx)$/;

export interface SignalProblem {
  /** What stands between the stop signal and the app. */
  reason: 'shell-form' | 'shell-without-exec' | 'package-manager';
  detail: string;
}

function basename(program: string): string {
  return program.slice(program.lastIndexOf('/') + 1);
}

/**
 * Init processes that forward signals to their child, and entrypoint scripts that `exec "$@"` (the official
 * node/python images' docker-entrypoint.sh): what matters is the command they start.
 */
const INITS = /^(tini|dumb-init|tini-static|catatonit|docker-entrypoint\.sh)$/;

/** A `sh -c` script keeps the shell as PID 1 unless it `exec`s the app; shells do not forward SIGTERM. */
function scriptProblem(script: string, shellForm: boolean): SignalProblem | undefined {
  const text = script.trim();
  const exec = /^exec\s+(.*)$/s.exec(text);
  if (exec) return launcherProblem((exec[1] ?? '').split(/\s+/));
  const launcher = launcherProblem(text.split(/\s+/));
  if (launcher) return launcher;
  return shellForm
    ? {
        reason: 'shell-form',
        detail: `shell form runs \`/bin/sh -c "${text}"\`: the shell is PID 1 and does not forward SIGTERM`,
      }
    : {
        reason: 'shell-without-exec',
        detail: `\`sh -c "${text}"\` without \`exec\`: the shell is PID 1 and does not forward SIGTERM`,
      };
}

function launcherProblem(argv: string[]): SignalProblem | undefined {
  const program = basename(argv[0] ?? '');
  if (LAUNCHERS.test(program) && argv.length > 1) {
    return {
      reason: 'package-manager',
      detail: `\`${argv.join(' ')}\`: ${program} runs the app as a child process and does not forward SIGTERM to it reliably`,
    };
  }
  return undefined;
}

/** Why the stop signal would not reach the app started by `start`, or undefined when it would. */
export function signalProblemOf(start: StartCommand): SignalProblem | undefined {
  let argv = start.argv;
  // An init (tini, dumb-init) or an exec wrapper hands the signal on: look at what it starts.
  if (INITS.test(basename(argv[0] ?? ''))) {
    const sep = argv.indexOf('--');
    argv = sep === -1 ? argv.slice(1).filter((a) => !a.startsWith('-')) : argv.slice(sep + 1);
  }
  const script = shellScriptOf(argv);
  if (script !== undefined) return scriptProblem(script, start.shellForm);
  return launcherProblem(argv);
}

/** `ghcr.io/acme/api:1.2@sha256:...` → `ghcr.io/acme/api`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? '';
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/** `.zerodrop.yaml` `dockerfiles:` entry: this Dockerfile builds these images. */
export interface DockerfileMapping {
  /** Path of the Dockerfile, as loaded (same form as `Dockerfile.file`). */
  dockerfile: string;
  /** Image repositories (tags ignored) it builds. */
  images: string[];
}

function dirOf(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i === -1 ? '.' : file.slice(0, i);
}

/**
 * The Dockerfile that builds a container's image: a configured mapping for its image repository, else the one
 * Dockerfile in the manifest's folder, for the pod's first container (the app; later ones are usually sidecars).
 */
export function dockerfileFor(
  manifestFile: string,
  containerIndex: number,
  image: string,
  dockerfiles: readonly Dockerfile[],
  mappings: readonly DockerfileMapping[] = [],
): Dockerfile | undefined {
  const repository = imageRepository(image);
  const mapped = mappings.find((m) => m.images.some((i) => imageRepository(i) === repository));
  if (mapped) return dockerfiles.find((d) => d.file === mapped.dockerfile);
  if (containerIndex !== 0) return undefined;
  const sameFolder = dockerfiles.filter(
    (d) => dirOf(d.file) === dirOf(manifestFile) && !mappings.some((m) => m.dockerfile === d.file),
  );
  return sameFolder.length === 1 ? sameFolder[0] : undefined;
}

/**
 * The image the final stage is built on: its FROM, followed through `FROM <earlier stage>` to an external image
 * (or `scratch`).
 */
export function baseImageOf(dockerfile: Dockerfile): { image: string; from: DockerInstruction } | undefined {
  // The first stage of each name, as `FROM <name>` refers to it.
  const named = new Map<string, DockerStage>();
  for (const s of dockerfile.stages) if (s.name !== undefined && !named.has(s.name)) named.set(s.name, s);
  let stage = finalStage(dockerfile);
  const seen = new Set<DockerStage>();
  while (stage && !seen.has(stage)) {
    seen.add(stage);
    const parent = named.get(stage.image);
    if (!parent || parent.index >= stage.index) return { image: stage.image, from: stage.from };
    stage = parent;
  }
  return undefined;
}

/**
 * What kind of image has no shell (and no `sleep`, `curl`, ...), or undefined when it may have one: `scratch`,
 * Google's distroless images (their `debug` tags add busybox), Chainguard images (their `-dev` tags add a shell),
 * Ubuntu chiseled images.
 */
export function shellFreeImageKind(image: string): string | undefined {
  const repository = imageRepository(image).toLowerCase();
  const tag = image.slice(imageRepository(image).length + 1).split('@')[0] ?? '';
  if (repository === 'scratch') return 'an empty image';
  if (/(^|\/)distroless\//.test(repository) && !/(^|-)debug(-|$)/.test(tag)) return 'a distroless image';
  if (/^cgr\.dev\/chainguard\//.test(repository) && !/(^|-)dev$/.test(tag)) return 'a Chainguard image';
  if (/chiseled/.test(repository) || /chiseled/.test(tag)) return 'a chiseled image';
  return undefined;
}
