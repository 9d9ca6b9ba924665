// `berth volume ...`: the verbs of docker's volume management command, in its help order.
import type { CommandSpec } from '../../framework/types.ts';
import { createCommand } from './create.ts';
import { inspectCommand } from './inspect.ts';
import { lsCommand } from './ls.ts';
import { pruneCommand } from './prune.ts';
import { rmCommand } from './rm.ts';

export const volumeCommands: CommandSpec[] = [createCommand, inspectCommand, lsCommand, pruneCommand, rmCommand];
