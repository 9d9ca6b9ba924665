// The `system` subcommands; `info` and `events` are also docker's top-level shortcuts.
import type { CommandSpec } from '../../framework/types.ts';
import { infoCommand } from './info.ts';
import { eventsCommand } from './events.ts';
import { dfCommand } from './df.ts';
import { pruneCommand } from './prune.ts';

export const systemCommands: CommandSpec[] = [infoCommand, eventsCommand, dfCommand, pruneCommand];
