// config, ps, logs, exec, run, top, port, images, events, ls, cp, wait, version, watch.
// Owned by the CLI part (cmp-cli).
import type { CommandSpec } from '../../framework/types.ts';

export const otherCommands: CommandSpec[] = [];
