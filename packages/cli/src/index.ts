export { UsageError } from './errors.js';
export { type Command, type CommandName, main, usage } from './main.js';
