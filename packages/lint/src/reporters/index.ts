import type { LintResult } from '../engine.js';
import { githubChunks } from './github.js';
import { jsonChunks } from './json.js';
import { sarifChunks } from './sarif.js';
import { textChunks } from './text.js';

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

/** The report in pieces, in order: written one after the other, a large report never has to be one string. */
export function formatChunks(result: LintResult, format: Format, options: FormatOptions): Iterable<string> {
  switch (format) {
    case 'text':
      return textChunks(result, options);
    case 'json':
      return jsonChunks(result);
    case 'sarif':
      return sarifChunks(result, options.version);
    case 'github':
      return githubChunks(result);
  }
}

/**
 * Characters a write takes at most, about: a joined piece stays under V8's large-object size (128 KiB, at two bytes a
 * character), so once written it dies young; a larger one would sit in the old generation until the next full
 * collection, and a large report is thousands of them. A pipe takes 64 KiB at a time anyway.
 */
export const WRITE_SIZE = 32 * 1024;

/** The pieces of a report joined into strings of about `size` characters, each to be written as one. */
export function* joinedChunks(chunks: Iterable<string>, size = WRITE_SIZE): Generator<string> {
  let batch = '';
  for (const chunk of chunks) {
    batch += chunk;
    if (batch.length >= size) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}

/** The whole report as one string. */
export function formatResult(result: LintResult, format: Format, options: FormatOptions): string {
  return [...formatChunks(result, format, options)].join('');
}
