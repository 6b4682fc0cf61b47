/**
 * The cold build of the cluster's binaries, measured: `node dist/bench/cold-build.js [workdir]`.
 * Runs ensureBinaries() with an empty cache, Go build cache and module cache under `workdir` (default a temp
 * folder, removed afterwards), so it downloads every module from the proxy and compiles everything. Prints wall
 * time, the peak memory of the whole process tree (sampled every 250 ms) and of its largest process, and the disk
 * taken by the binaries, the Go build cache and the module cache.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const given = process.argv[2];
const work = given ?? mkdtempSync(join(tmpdir(), 'zerodrop-cold-build-'));
const env = {
  ...process.env,
  XDG_CACHE_HOME: join(work, 'cache'),
  GOCACHE: join(work, 'gocache'),
  GOMODCACHE: join(work, 'gomod'),
  GOFLAGS: '-modcacherw',
};
const index = fileURLToPath(new URL('../src/index.js', import.meta.url));

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Every descendant of `root` (children read from /proc/<pid>/stat). */
function tree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), pid]);
    } catch {
      // exited
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(parents.get(out[i] as number) ?? []));
  return out;
}

function du(path: string): number {
  try {
    return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
  } catch {
    return 0;
  }
}

const started = performance.now();
const child = spawn(
  process.execPath,
  ['--input-type=module', '-e', `const m = await import(${JSON.stringify(index)}); await m.ensureBinaries();`],
  { env, stdio: ['ignore', 'inherit', 'inherit'] },
);
let peakTotal = 0;
let peakOne = 0;
const sampler = setInterval(() => {
  if (child.pid === undefined) return;
  const rss = tree(child.pid).map(rssKb);
  peakTotal = Math.max(
    peakTotal,
    rss.reduce((a, b) => a + b, 0),
  );
  peakOne = Math.max(peakOne, ...rss);
}, 250);
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
clearInterval(sampler);
const seconds = (performance.now() - started) / 1000;
const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
console.log(
  JSON.stringify(
    {
      exit: code,
      seconds: Math.round(seconds),
      peakTreeRss: mb(peakTotal * 1024),
      peakProcessRss: mb(peakOne * 1024),
      binaries: mb(du(join(work, 'cache', 'zerodrop'))),
      goBuildCache: mb(du(join(work, 'gocache'))),
      goModuleCache: mb(du(join(work, 'gomod'))),
      cores: readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length,
    },
    null,
    2,
  ),
);
if (!given) rmSync(work, { recursive: true, force: true });
process.exit(code);
