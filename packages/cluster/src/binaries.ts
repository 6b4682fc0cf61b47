/**
 * The control-plane binaries, built from source with Go through two generated wrapper modules: one requires
 * k8s.io/kubernetes at the pinned release and `replace`s its staging modules (required at v0.0.0 otherwise) with
 * their published v0.x versions; the other requires etcd's server module and calls its main. Built once into
 * `$XDG_CACHE_HOME/zerodrop/kubernetes/<version>/bin` (default ~/.cache), shared by every cluster folder.
 */
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ClusterError } from './errors.js';
import { exec } from './exec.js';

export const KUBERNETES_VERSION = 'v1.33.13';
/** The etcd release kubeadm pairs with Kubernetes 1.33, and the version of the etcd client the apiserver links. */
export const ETCD_VERSION = 'v3.5.21';
export const BINARY_NAMES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'] as const;
export type BinaryName = (typeof BINARY_NAMES)[number];

const KUBERNETES_COMMANDS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'];

/** `$XDG_CACHE_HOME/zerodrop/kubernetes/<version>` (default `~/.cache/...`). */
export function binaryCacheDir(version = KUBERNETES_VERSION): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'zerodrop', 'kubernetes', version);
}

function missingIn(folder: string): string[] {
  return BINARY_NAMES.filter((name) => {
    try {
      accessSync(join(folder, name), constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

/** What a finished build wrote beside the binaries. */
export interface BuildRecord {
  kubernetes: string;
  etcd: string;
  go: string;
  seconds: number;
  bytes: number;
  finishedAt: string;
}

export interface EnsureOptions {
  /** Progress lines (what is being built, the Go tool's output). */
  onLog?: (line: string) => void;
}

/** The Go toolchain's version, or undefined when `go` is not installed. */
export function goVersion(): string | undefined {
  const r = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * Why the binaries cannot be had on this machine, or undefined when they can (already built, a ready folder in
 * ZERODROP_KUBERNETES_BIN, or Go to build them). Tests use it to report themselves skipped.
 */
export function binariesUnavailableReason(): string | undefined {
  const given = process.env.ZERODROP_KUBERNETES_BIN;
  if (given) {
    const missing = missingIn(given);
    return missing.length ? `ZERODROP_KUBERNETES_BIN=${given} lacks ${missing.join(', ')}` : undefined;
  }
  if (existsSync(join(binaryCacheDir(), 'build.json')) && missingIn(join(binaryCacheDir(), 'bin')).length === 0) {
    return undefined;
  }
  return goVersion() ? undefined : 'Go is not installed (needed once to build Kubernetes from source)';
}

/** Reads the record of the cached build, when there is one. */
export function cachedBuild(): BuildRecord | undefined {
  const file = join(binaryCacheDir(), 'build.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as BuildRecord;
}

/** Returns the folder holding every binary, building them first when needed. */
export async function ensureBinaries(options: EnsureOptions = {}): Promise<string> {
  const given = process.env.ZERODROP_KUBERNETES_BIN ? resolve(process.env.ZERODROP_KUBERNETES_BIN) : undefined;
  if (given) {
    const missing = missingIn(given);
    if (missing.length > 0) {
      throw new ClusterError(
        'BINARIES_MISSING',
        `ZERODROP_KUBERNETES_BIN=${given} has no executable ${missing.join(', ')}; put all of ${BINARY_NAMES.join(', ')} there, or unset it to build them with Go`,
      );
    }
    return given;
  }
  const cache = binaryCacheDir();
  const bin = join(cache, 'bin');
  if (existsSync(join(cache, 'build.json')) && missingIn(bin).length === 0) return bin;
  const go = goVersion();
  if (!go) {
    throw new ClusterError(
      'NO_GO',
      `Kubernetes ${KUBERNETES_VERSION} is built from source once, with Go (1.24 or newer), which is not installed. ` +
        `Install Go, or set ZERODROP_KUBERNETES_BIN to a folder with ${BINARY_NAMES.join(', ')}.`,
    );
  }
  mkdirSync(cache, { recursive: true });
  await withBuildLock(cache, options, async () => {
    if (existsSync(join(cache, 'build.json')) && missingIn(bin).length === 0) return;
    await build(cache, go, options);
  });
  return bin;
}

/** One build at a time per cache folder, across processes: a lock folder naming its holder's pid. */
async function withBuildLock(cache: string, options: EnsureOptions, fn: () => Promise<void>): Promise<void> {
  const lock = join(cache, 'build.lock');
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const holder = Number(readFileSync(join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      let alive = false;
      try {
        if (holder) process.kill(holder, 0);
        alive = holder > 0;
      } catch {
        alive = false;
      }
      const age = Date.now() - statSync(lock).mtimeMs;
      if (!alive && age > 2000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!told) options.onLog?.(`waiting for the build in process ${holder} to finish (${cache})`);
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function goEnv(): NodeJS.ProcessEnv {
  // GOFLAGS=-mod=mod: go.sum is generated here; GOTOOLCHAIN=local: never fetch another toolchain.
  return { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOWORK: 'off' };
}

async function go(args: string[], cwd: string, log: (line: string) => void): Promise<string> {
  log(`$ go ${args.join(' ')}`);
  const r = await exec('go', args, { cwd, env: goEnv(), onLine: log });
  if (r.code !== 0) {
    throw new ClusterError(
      'BUILD_FAILED',
      `go ${args[0]} failed in ${cwd} (exit ${r.code}); the last lines:\n${r.stderr.trim().split('\n').slice(-15).join('\n')}`,
    );
  }
  return r.stdout;
}

/** `k8s.io/<name>` staging modules that k8s.io/kubernetes replaces with `./staging/src/...` in its own go.mod. */
export function stagingModules(kubernetesGoMod: string): string[] {
  const out: string[] = [];
  for (const m of kubernetesGoMod.matchAll(/^\s*(?:replace\s+)?(k8s\.io\/[\w.-]+)\s+=>\s+\.\/staging\/src\//gm))
    out.push(m[1] as string);
  return [...new Set(out)].sort();
}

/** The generated wrapper module of the Kubernetes commands. */
export function kubernetesWrapper(version: string, staging: readonly string[]): { goMod: string; toolsGo: string } {
  const stagingVersion = version.replace(/^v1\./, 'v0.');
  const goMod = [
    `module zerodrop.local/kubernetes-${version}`,
    '',
    'go 1.24.0',
    '',
    `require k8s.io/kubernetes ${version}`,
    '',
    'replace (',
    ...staging.map((m) => `\t${m} => ${m} ${stagingVersion}`),
    ')',
    '',
  ].join('\n');
  const toolsGo = [
    '//go:build tools',
    '',
    '// Package tools pins the commands built from k8s.io/kubernetes.',
    'package tools',
    '',
    'import (',
    ...KUBERNETES_COMMANDS.map((c) => `\t_ "k8s.io/kubernetes/cmd/${c}"`),
    ')',
    '',
  ].join('\n');
  return { goMod, toolsGo };
}

/** The generated wrapper module of etcd: its server module's main, nothing else. */
export function etcdWrapper(version: string): { goMod: string; mainGo: string } {
  return {
    goMod: ['module zerodrop.local/etcd', '', 'go 1.24.0', '', `require go.etcd.io/etcd/server/v3 ${version}`, ''].join(
      '\n',
    ),
    mainGo: [
      "// Command etcd runs etcd's server main.",
      'package main',
      '',
      'import (',
      '\t"os"',
      '',
      '\t"go.etcd.io/etcd/server/v3/etcdmain"',
      ')',
      '',
      'func main() { etcdmain.Main(os.Args) }',
      '',
    ].join('\n'),
  };
}

function versionLdflags(version: string): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const vars = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
  return ['-s', '-w', ...vars].join(' ');
}

async function build(cache: string, goVersionText: string, options: EnsureOptions): Promise<void> {
  const started = performance.now();
  const logFile = join(cache, 'build.log');
  writeFileSync(logFile, '');
  const log = (line: string) => {
    writeFileSync(logFile, `${line}\n`, { flag: 'a' });
    options.onLog?.(line);
  };
  log(`building Kubernetes ${KUBERNETES_VERSION} and etcd ${ETCD_VERSION} with ${goVersionText} into ${cache}/bin`);
  const staging = join(cache, 'bin.partial');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });

  const kubeModule = join(cache, 'kubernetes-module');
  mkdirSync(kubeModule, { recursive: true });
  writeFileSync(join(kubeModule, 'go.mod'), `module zerodrop.local/probe\n\ngo 1.24.0\n`);
  const info = JSON.parse(
    await go(['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`], kubeModule, log),
  ) as { GoMod?: string };
  if (!info.GoMod)
    throw new ClusterError(
      'BUILD_FAILED',
      `the Go module proxy gave no go.mod for k8s.io/kubernetes@${KUBERNETES_VERSION}`,
    );
  const { goMod, toolsGo } = kubernetesWrapper(KUBERNETES_VERSION, stagingModules(readFileSync(info.GoMod, 'utf8')));
  writeFileSync(join(kubeModule, 'go.mod'), goMod);
  writeFileSync(join(kubeModule, 'tools.go'), toolsGo);
  await go(['mod', 'tidy'], kubeModule, log);
  await go(
    [
      'build',
      '-trimpath',
      `-ldflags=${versionLdflags(KUBERNETES_VERSION)}`,
      '-o',
      `${staging}/`,
      ...KUBERNETES_COMMANDS.map((c) => `k8s.io/kubernetes/cmd/${c}`),
    ],
    kubeModule,
    log,
  );

  const etcdModule = join(cache, 'etcd-module');
  mkdirSync(etcdModule, { recursive: true });
  const etcd = etcdWrapper(ETCD_VERSION);
  writeFileSync(join(etcdModule, 'go.mod'), etcd.goMod);
  writeFileSync(join(etcdModule, 'main.go'), etcd.mainGo);
  await go(['mod', 'tidy'], etcdModule, log);
  await go(['build', '-trimpath', '-ldflags=-s -w', '-o', join(staging, 'etcd'), '.'], etcdModule, log);

  const bin = join(cache, 'bin');
  rmSync(bin, { recursive: true, force: true });
  renameSync(staging, bin);
  const bytes = BINARY_NAMES.reduce((sum, name) => sum + statSync(join(bin, name)).size, 0);
  const record: BuildRecord = {
    kubernetes: KUBERNETES_VERSION,
    etcd: ETCD_VERSION,
    go: goVersionText,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    bytes,
    finishedAt: new Date().toISOString(),
  };
  writeFileSync(join(cache, 'build.json'), `${JSON.stringify(record, null, 2)}\n`);
  log(`built in ${record.seconds}s, ${(bytes / 1e6).toFixed(0)} MB of binaries`);
}

/** Links every binary into `binDir` (replacing stale links), so `DIR/bin/kubectl` is the cluster's kubectl. */
export function linkBinaries(from: string, binDir: string): void {
  mkdirSync(binDir, { recursive: true });
  for (const name of BINARY_NAMES) {
    const target = join(binDir, name);
    try {
      unlinkSync(target);
    } catch {
      // not there yet
    }
    symlinkSync(join(from, name), target);
  }
}
