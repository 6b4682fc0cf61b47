import type { Rule } from './rule.js';
import * as registered from './rules/index.js';

/** Every rule, sorted by id (the order of the docs table and of `--help`). */
export const RULES: readonly Rule[] = Object.values(registered as Record<string, Rule>).sort((a, b) =>
  a.meta.id.localeCompare(b.meta.id),
);

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
