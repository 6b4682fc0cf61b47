export {
  CONFIG_FILE_NAMES,
  DEFAULT_KUBERNETES_VERSION,
  defaultSettings,
  findConfig,
  loadConfig,
  parseConfig,
} from './config.js';
export { renderRulesReadme } from './docs.js';
export {
  describe,
  emptyInputMessage,
  FIELD_TYPE_ERROR,
  IGNORE_ANNOTATION,
  INTERNAL_ERROR,
  type InputProblem,
  type LintResult,
  lint,
  lintForReport,
  lintParsed,
  type ParsedInputs,
  parseInputs,
} from './engine.js';
export { UserInputError } from './errors.js';
export {
  decodeText,
  encodeText,
  expandPaths,
  type Input,
  type InputKind,
  isDockerfileName,
  kindOf,
  readInput,
  readStdin,
  STDIN,
  type TextEncoding,
} from './files.js';
export { type FixOutcome, fixInputs, unifiedDiff } from './fix.js';
export { collectOften, favorMemory, REPORT_HEAP_GROWING_PERCENT } from './heap.js';
export { findRule, RULES } from './registry.js';
export {
  FORMATS,
  type Format,
  type FormatOptions,
  formatChunks,
  formatResult,
  isFormat,
  joinedChunks,
  WRITE_SIZE,
} from './reporters/index.js';
export * from './rule.js';
export { type FileWrite, type RenameOps, writeFilesAtomically } from './write.js';
