// config, ps, logs, exec, run, top, port, images, events, ls, cp, wait, version, watch.
// Owned by the CLI part (cmp-cli).
import type { CommandSpec } from '../../framework/types.ts';
import { configCommand } from './config.ts';
import { cpCommand } from './cp.ts';
import { eventsCommand } from './events.ts';
import { execCommand } from './exec.ts';
import { imagesCommand } from './images.ts';
import { logsCommand } from './logs.ts';
import { lsCommand } from './ls.ts';
import { portCommand } from './port.ts';
import { psCommand } from './ps.ts';
import { runCommand } from './run.ts';
import { topCommand } from './top.ts';
import { versionCommand } from './version.ts';
import { waitCommand } from './wait.ts';
import { watchCommand } from './watch.ts';

export const otherCommands: CommandSpec[] = [
  configCommand, cpCommand, eventsCommand, execCommand, imagesCommand, logsCommand, lsCommand, portCommand, psCommand, runCommand, topCommand,
  versionCommand, waitCommand, watchCommand,
];
