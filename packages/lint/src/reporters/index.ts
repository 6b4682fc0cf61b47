import type { LintResult } from '../engine.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

export const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

export interface FormatOptions {
  color: boolean;
  /** zerodrop's version, for SARIF's driver. */
  version: string;
}

export function formatResult(result: LintResult, format: Format, options: FormatOptions): string {
  switch (format) {
    case 'text':
      return formatText(result, options);
    case 'json':
      return formatJson(result);
    case 'sarif':
      return formatSarif(result, options.version);
    case 'github':
      return formatGithub(result);
  }
}

export { formatGithub, formatJson, formatSarif, formatText };
