// up, down, create, start, stop, restart, rm, kill, pause, unpause, build, pull, push.
// Owned by the engine part (cmp-engine).
import type { CommandSpec } from '../../framework/types.ts';

export const lifecycleCommands: CommandSpec[] = [];
