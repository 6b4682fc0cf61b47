#!/usr/bin/env node
// Regenerates docs/rules/README.md from the rule metas (run after `tsc -b`).
import { writeFileSync } from 'node:fs';
import { renderRulesReadme } from '../dist/src/docs.js';

const target = new URL('../../../docs/rules/README.md', import.meta.url);
writeFileSync(target, renderRulesReadme());
console.log(`wrote ${target.pathname}`);
