/**
 * What a stranger gets from npm: every package packed (prepack builds it), the tarballs installed into a scratch
 * project outside the repository, then used the ways people use them: ESM import, CommonJS require, strict
 * TypeScript with NodeNext, bundler and node10 resolution, and the `zerodrop` binary through npx. Third-party
 * packages (typescript, @types/node) come from the npm registry; without it the tests say so and skip.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGES = ['core', 'graceful', 'lint', 'rehearse', 'cluster', 'verify', 'cli'];
/** Every entry point a user can import. */
const ENTRY_POINTS = [
  '@zerodrop/core',
  '@zerodrop/graceful',
  '@zerodrop/graceful/express',
  '@zerodrop/graceful/fastify',
  '@zerodrop/graceful/koa',
  '@zerodrop/graceful/hono',
  '@zerodrop/graceful/nest',
  '@zerodrop/graceful/register',
  '@zerodrop/lint',
  '@zerodrop/rehearse',
  '@zerodrop/cluster',
  '@zerodrop/verify',
  'zerodrop',
];

const registry = spawnSync('npm', ['ping'], { encoding: 'utf8', timeout: 30_000 });
const skip = registry.status === 0 ? false : 'the npm registry is not reachable (npm ping failed)';
let scratch = '';
let project = '';
const tarballs = new Map<string, string>();

function run(command: string, args: string[], cwd = project): { code: number | null; out: string } {
  const r = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 300_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

before(
  () => {
    if (skip) return;
    // Outside the repository, so that nothing resolves to the workspace's own node_modules.
    scratch = mkdtempSync(join(tmpdir(), 'zerodrop-packaging-'));
    assert.ok(relative(repo, scratch).startsWith('..'));
    const packed = join(scratch, 'tarballs');
    mkdirSync(packed);
    for (const name of PACKAGES) {
      const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', packed], {
        cwd: join(repo, 'packages', name),
        encoding: 'utf8',
      });
      tarballs.set(name, join(packed, out.trim().split('\n').at(-1) as string));
    }
    project = join(scratch, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    const install = run('npm', [
      'install',
      '--no-audit',
      '--no-fund',
      ...tarballs.values(),
      'typescript@~5.9.3',
      '@types/node@^20.19.0',
    ]);
    assert.equal(install.code, 0, install.out);
  },
  { timeout: 600_000 },
);
after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('packed and installed from the tarballs', { skip }, () => {
  test('each tarball: built code and types, its sources for the maps, README and LICENSE; no tests', () => {
    for (const [name, tarball] of tarballs) {
      const files = new Set(
        execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .map((f) => f.replace(/^package\//, '')),
      );
      for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/src/index.js', 'dist/src/index.d.ts']) {
        assert.ok(files.has(required), `${name}: ${required}`);
      }
      assert.ok(
        ![...files].some((f) => f.startsWith('dist/test/') || f.startsWith('dist/bench/')),
        `${name}: no tests`,
      );
      // Every source map points at sources that are in the tarball.
      const unpacked = join(scratch, 'unpacked', name);
      mkdirSync(unpacked, { recursive: true });
      execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
      const maps = [...files].filter((f) => f.endsWith('.map'));
      assert.ok(maps.length > 0, `${name}: maps`);
      for (const map of maps) {
        const { sources } = JSON.parse(readFileSync(join(unpacked, map), 'utf8')) as { sources: string[] };
        for (const source of sources) {
          assert.ok(existsSync(resolve(unpacked, dirname(map), source)), `${name}: ${map} → ${source}`);
        }
      }
      if (name === 'cli') assert.ok(files.has('bin/zerodrop.js'));
    }
  });

  test('package.json: public access for the scoped packages, repository/homepage/bugs, engines for require(esm)', () => {
    for (const name of PACKAGES) {
      const pkg = JSON.parse(
        execFileSync('tar', ['-xzOf', tarballs.get(name) as string, 'package/package.json'], { encoding: 'utf8' }),
      ) as Record<string, unknown>;
      if ((pkg.name as string).startsWith('@')) assert.deepEqual(pkg.publishConfig, { access: 'public' });
      assert.match(String((pkg.repository as { url: string }).url), /^git\+https:\/\/github\.com\//);
      assert.match(String(pkg.homepage), /^https:\/\//);
      assert.match(String((pkg.bugs as { url: string }).url), /^https:\/\//);
      assert.equal((pkg.engines as { node: string }).node, '^20.19.0 || >=22.12.0');
    }
  });

  test('ESM import and CommonJS require of every entry point', () => {
    const imports = ENTRY_POINTS.map((e) => `await import(${JSON.stringify(e)});`).join('\n');
    const esm = run(process.execPath, ['--input-type=module', '-e', `${imports}\nconsole.log('ok');`]);
    assert.equal(esm.code, 0, esm.out);
    // A NestJS or other CommonJS build: require() of an ES module, which Node allows from 20.19.
    const requires = ENTRY_POINTS.map((e) => `require(${JSON.stringify(e)});`).join('\n');
    const cjs = run(process.execPath, ['--input-type=commonjs', '-e', `${requires}\nconsole.log('ok');`]);
    assert.equal(cjs.code, 0, cjs.out);
    assert.doesNotMatch(cjs.out, /ExperimentalWarning|ERR_REQUIRE_ESM/);
  });

  test('strict TypeScript resolves every entry point: NodeNext, bundler and node10', () => {
    writeFileSync(
      join(project, 'use.ts'),
      [
        "import { createServer } from 'node:http';",
        "import { computeTimeline, getProfile } from '@zerodrop/core';",
        "import { graceful } from '@zerodrop/graceful';",
        "import { listen as listenExpress } from '@zerodrop/graceful/express';",
        "import { lint, RULES } from '@zerodrop/lint';",
        "import { verdictOf, type RehearsalResult } from '@zerodrop/rehearse';",
        "import { main } from 'zerodrop';",
        'const handle = graceful(createServer());',
        'const state: string = handle.state;',
        "const profile = getProfile('kube-proxy');",
        'export const used = [state, profile, computeTimeline, listenExpress, lint, RULES.length, main, verdictOf];',
        'export type Result = RehearsalResult;',
        '',
      ].join('\n'),
    );
    const configs = {
      nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
      bundler: { module: 'preserve', moduleResolution: 'bundler' },
      // A CommonJS project with the older resolution; the subpath exports resolve through typesVersions, and no
      // interop setting is needed (the declarations import Node's modules as namespaces).
      node10: { module: 'commonjs', moduleResolution: 'node10' },
    };
    for (const [name, options] of Object.entries(configs)) {
      writeFileSync(
        join(project, `tsconfig.${name}.json`),
        JSON.stringify({
          compilerOptions: { ...options, strict: true, noEmit: true, target: 'es2022', types: ['node'] },
          files: ['use.ts'],
        }),
      );
      const tsc = run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', `tsconfig.${name}.json`]);
      assert.equal(tsc.code, 0, `${name}: ${tsc.out}`);
    }
  });

  test('npx zerodrop: --help, lint a file, rehearse a tiny app that uses @zerodrop/graceful', () => {
    const help = run('npx', ['--no-install', 'zerodrop', '--help']);
    assert.equal(help.code, 0, help.out);
    assert.match(help.out, /^Usage: zerodrop <command>/m);

    writeFileSync(
      join(project, 'deploy.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  template:\n    spec:\n' +
        '      containers:\n        - name: web\n          image: web:1.0.0\n          ports: [{containerPort: 8080}]\n',
    );
    const linted = run('npx', ['--no-install', 'zerodrop', 'lint', 'deploy.yaml']);
    assert.equal(linted.code, 1, linted.out);
    assert.match(linted.out, /prestop-missing/);

    writeFileSync(
      join(project, 'app.js'),
      [
        "import { createServer } from 'node:http';",
        "import { graceful } from '@zerodrop/graceful';",
        "const server = createServer((req, res) => res.end('ok\\n'));",
        'graceful(server);',
        'server.listen(Number(process.env.PORT));',
        '',
      ].join('\n'),
    );
    const rehearsal = run('npx', [
      '--no-install',
      'zerodrop',
      'rehearse',
      '--speed',
      '10',
      '--prestop-sleep',
      '3',
      '--ready-path',
      '/health/ready',
      '--rate',
      '50',
      '--warmup',
      '0.5',
      '--settle',
      '0.5',
      '--',
      process.execPath,
      'app.js',
    ]);
    assert.equal(rehearsal.code, 0, rehearsal.out);
    assert.match(rehearsal.out, /ZERO DROPPED of [\d,]+ requests/);
  });

  test('the scratch project holds no path into the repository', () => {
    const links = readdirSync(join(project, 'node_modules', '@zerodrop'));
    assert.deepEqual(links.sort(), ['cluster', 'core', 'graceful', 'lint', 'rehearse', 'verify']);
    const resolved = run(process.execPath, [
      '--input-type=module',
      '-e',
      "console.log(import.meta.resolve('@zerodrop/core'))",
    ]);
    assert.ok(!resolved.out.includes(repo), resolved.out);
  });
});
