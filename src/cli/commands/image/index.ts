// The `image` subcommands; the framework maps docker's shortcuts (images, rmi, tag, history,
// save, load, import) to them.
import type { CommandSpec } from '../../framework/types.ts';
import { lsCommand } from './ls.ts';
import { rmCommand } from './rm.ts';
import { tagCommand } from './tag.ts';
import { historyCommand } from './history.ts';
import { saveCommand } from './save.ts';
import { loadCommand } from './load.ts';
import { importCommand } from './import.ts';
import { inspectImageCommand } from './inspect.ts';
import { pruneCommand } from './prune.ts';
import { pullCommand } from './pull.ts';
import { pushCommand } from './push.ts';
import { buildCommand } from './build.ts';

export const imageCommands: CommandSpec[] = [
  lsCommand, rmCommand, tagCommand, historyCommand, saveCommand, loadCommand, importCommand, inspectImageCommand, pruneCommand, pullCommand, pushCommand, buildCommand,
];
