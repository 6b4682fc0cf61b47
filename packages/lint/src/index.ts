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
  IGNORE_ANNOTATION,
  type InputProblem,
  type LintResult,
  lint,
  lintParsed,
  type ParsedInputs,
  parseInputs,
} from './engine.js';
export { UserInputError } from './errors.js';
export {
  expandPaths,
  type Input,
  type InputKind,
  isDockerfileName,
  kindOf,
  readInput,
  readStdin,
  STDIN,
} from './files.js';
export { type FixOutcome, fixInputs, unifiedDiff } from './fix.js';
export { findRule, RULES } from './registry.js';
export { FORMATS, type Format, formatResult, isFormat } from './reporters/index.js';
export * from './rule.js';
