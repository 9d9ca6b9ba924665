// `berth network ...`: the verbs of docker's network management command, in its help order.
import type { CommandSpec } from '../../framework/types.ts';
import { connectCommand } from './connect.ts';
import { createCommand } from './create.ts';
import { disconnectCommand } from './disconnect.ts';
import { inspectCommand } from './inspect.ts';
import { lsCommand } from './ls.ts';
import { pruneCommand } from './prune.ts';
import { rmCommand } from './rm.ts';

export const networkCommands: CommandSpec[] = [
  connectCommand, createCommand, disconnectCommand, inspectCommand, lsCommand, pruneCommand, rmCommand,
];
