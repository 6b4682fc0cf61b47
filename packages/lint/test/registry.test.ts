import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderRulesReadme } from '../src/docs.js';
import { RULES } from '../src/registry.js';
import { CONDITIONS } from '../src/rule.js';

const packageRoot = new URL('../../', import.meta.url);
const repoRoot = new URL('../../', packageRoot);
const docsDir = new URL('docs/rules/', repoRoot);

/** The rule ids the checklist defines; rules are implemented from this list and never under other names. */
const CHECKLIST = [
  'readiness-probe-missing',
  'liveness-same-as-readiness',
  'liveness-checks-dependencies',
  'startup-probe-missing',
  'liveness-more-aggressive-than-readiness',
  'prestop-missing',
  'prestop-shorter-than-propagation',
  'prestop-needs-shell',
  'grace-period-too-short',
  'rollout-max-unavailable',
  'rollout-recreate',
  'replicas-single',
  'pdb-missing',
  'pdb-blocks-eviction',
  'pdb-selects-nothing',
  'pdb-multiple',
  'image-tag-unpinned',
  'memory-limit-missing',
  'cpu-limit-set',
  'signals-not-forwarded',
  'lb-health-check-mismatch',
  'lb-deregistration-exceeds-prestop',
];

test('docs/rules/README.md is generated from the rule metas (run `npm run docs:rules -w packages/lint`)', () => {
  assert.equal(readFileSync(new URL('README.md', docsDir), 'utf8'), renderRulesReadme());
});

test('every rule: id from the checklist, file named after it, a doc page with why/wrong/right, a test file', () => {
  const sources = readdirSync(new URL('src/rules/', packageRoot)).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
  assert.deepEqual(sources.map((f) => f.replace(/\.ts$/, '')).sort(), RULES.map((r) => r.meta.id).sort());
  for (const rule of RULES) {
    const { id } = rule.meta;
    assert.ok(CHECKLIST.includes(id), `${id} is not a checklist rule id`);
    assert.ok(CONDITIONS[rule.meta.condition], `${id}: unknown condition`);
    const doc = readFileSync(new URL(`${id}.md`, docsDir), 'utf8');
    assert.match(doc, new RegExp(`^# ${id}\\n`), `${id}.md starts with its title`);
    for (const section of ['## Why', '## Wrong', '## Right', '## How to fix', '## Options'])
      assert.ok(doc.includes(section), `${id}.md has a "${section}" section`);
    assert.ok(
      existsSync(new URL(`test/rules/${id}.test.ts`, packageRoot)),
      `packages/lint/test/rules/${id}.test.ts exists`,
    );
  }
});
