/**
 * What the benchmarks that run one app through two engines share: the CLI and the test app, the load, the round
 * count, a row per run read from its `--json` result, and the Markdown table they print.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterUnavailableReason } from '@zerodrop/cluster';

export const repo = fileURLToPath(new URL('../../../../', import.meta.url));
export const cli = join(repo, 'packages', 'cli', 'bin', 'zerodrop.js');
/** verify's test app: plain, or under @zerodrop/graceful with GRACEFUL=1. */
export const app = join(repo, 'packages', 'verify', 'dist', 'test', 'fixtures', 'web.js');
export const LOAD = ['--rate', '200', '--connections', '16', '--warmup', '2', '--settle', '3'];

/** `--rounds N` of the command line, 3 by default. */
export function roundsArg(): number {
  const at = process.argv.indexOf('--rounds');
  return at === -1 ? 3 : Number(process.argv[at + 1]);
}

/** Exits 2 with the reason when no cluster can run here. */
export function requireCluster(): void {
  const unavailable = clusterUnavailableReason();
  if (unavailable) {
    console.error(`no cluster here: ${unavailable}`);
    process.exit(2);
  }
}

export function runCli(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c;
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

export interface Row<Engine extends string = string> {
  round: number;
  variant: string;
  engine: Engine;
  exit: number | null;
  total: number;
  failed: number;
  causes: string;
  rolloutS: number;
  wallS: number;
}

/** A run's row from its `--json` result. */
export function resultRow<Engine extends string>(
  round: number,
  variant: string,
  engine: Engine,
  code: number | null,
  json: string,
  wallS: number,
): Row<Engine> {
  const result = JSON.parse(readFileSync(json, 'utf8')) as {
    requests: { total: number; failed: number };
    rollout: { durationMs: number };
    attribution?: { groups: { cause: string; count: number }[] };
  };
  return {
    round,
    variant,
    engine,
    exit: code,
    total: result.requests.total,
    failed: result.requests.failed,
    causes: (result.attribution?.groups ?? []).map((g) => `${g.cause} ${g.count}`).join(', ') || '–',
    rolloutS: result.rollout.durationMs / 1000,
    wallS,
  };
}

/** The rows as a Markdown table on stdout; `engineHeader` names the engine column. */
export function printTable(rows: readonly Row[], engineHeader: string): void {
  console.log(`| round | app | ${engineHeader} | exit | requests | failed | causes | rollout (s) | wall (s) |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.round} | ${r.variant} | ${r.engine} | ${r.exit} | ${r.total.toLocaleString('en-US')} | ${r.failed} | ${r.causes} | ${r.rolloutS.toFixed(1)} | ${r.wallS.toFixed(1)} |`,
    );
  }
}
