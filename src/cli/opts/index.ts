// Parsers for `run`/`create`/`exec` option values with docker's rules and messages, and the
// builder of the create request.
export { buildCreateRequest, type BuildOptions } from './container-config.ts';
export { containerFlags, createOnlyFlags, runOnlyFlags } from './container-flags.ts';
export { FlagValueError, OptionError } from './errors.ts';
export { parseCpus } from './cpus.ts';
export { readEnv, validateLabel } from './env.ts';
export { memSwapBytes, ramInBytes } from './mem-bytes.ts';
export { parseRestartPolicy } from './restart.ts';
