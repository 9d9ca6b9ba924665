// The CLI's progress display for the daemon's JSON message streams (load, pull, push, import).
export { displayJsonMessages, JsonMessageRenderer, JsonMessageError, progressString, humanSizePrecision, formatG } from './json-message.ts';
export type { JsonMessage, JsonProgress, DisplayOptions } from './json-message.ts';
