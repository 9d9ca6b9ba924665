// The `container` subcommands other than run/create/start/attach/exec (those are in
// run-commands.ts). The framework maps docker's top-level shortcuts (ps, rm, logs, ...) to these.
import type { CommandSpec } from '../../framework/types.ts';
import { lsCommand } from './ls.ts';
import { inspectContainerCommand } from './inspect.ts';
import { logsCommand } from './logs.ts';
import { stopCommand } from './stop.ts';
import { restartCommand } from './restart.ts';
import { killCommand } from './kill.ts';
import { rmCommand } from './rm.ts';
import { waitCommand } from './wait.ts';
import { renameCommand } from './rename.ts';
import { pauseCommand } from './pause.ts';
import { unpauseCommand } from './unpause.ts';
import { topCommand } from './top.ts';
import { portCommand } from './port.ts';
import { pruneCommand } from './prune.ts';
import { exportCommand } from './export.ts';
import { diffCommand } from './diff.ts';
import { commitCommand } from './commit.ts';
import { cpCommand } from './cp.ts';

export const manageCommands: CommandSpec[] = [
  lsCommand, inspectContainerCommand, logsCommand, stopCommand, restartCommand, killCommand, rmCommand, waitCommand,
  renameCommand, pauseCommand, unpauseCommand, topCommand, portCommand, pruneCommand, cpCommand,
  exportCommand, diffCommand, commitCommand,
];
