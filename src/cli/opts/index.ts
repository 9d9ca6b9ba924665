// Parsers for `run`/`create`/`exec` option values with docker's rules and messages, and the
// builder of the create request.
export { buildCreateRequest, type BuildOptions, type CreateRequest } from './container-config.ts';
export { containerFlags, createOnlyFlags, runOnlyFlags } from './container-flags.ts';
export { FlagValueError, OptionError } from './errors.ts';
export { parseCpus } from './cpus.ts';
export { parseKeyValueFile, readEnv, readLabels, validateEnv, validateLabel, kvToMap, type LookupEnv } from './env.ts';
export { memSwapBytes, ramInBytes } from './mem-bytes.ts';
export { parseMount, type Mount } from './mount.ts';
export { parseExpose, parsePortSpec, parsePortSpecs, parsePortRange } from './ports.ts';
export { parseRestartPolicy } from './restart.ts';
export { parseUlimit, parseUlimits } from './ulimit.ts';
export { parseVolumes, parseTmpfs } from './volumes.ts';
export { validateExtraHost, validateIpAddress } from './network.ts';
