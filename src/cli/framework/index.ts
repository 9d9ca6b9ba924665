// The CLI framework's public face for commands: the contracts, the shared help texts, and the
// helpers a command may need beyond its CommandContext.
export * from './types.ts';
export { FORMAT_HELP, INSPECT_FORMAT_HELP } from './format-help.ts';
export { CLIENT_API_VERSION, compareVersions } from './client.ts';
export { CLI_VERSION, GIT_COMMIT, BUILD_TIME } from './build-info.ts';
export { splitCsv } from './flags.ts';
export { formatGoDuration, parseGoDuration } from './go-values.ts';
