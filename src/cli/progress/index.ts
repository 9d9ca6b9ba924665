// The CLI's progress display for the daemon's JSON message streams (load, pull, push, import).
export { displayJsonMessages, JsonMessageError, progressString, humanSizePrecision, formatG } from './json-message.ts';
export type { JsonMessage } from './json-message.ts';
export { BuildProgressView, TtyBuildDisplay } from './build-view.ts';
