// The `container` subcommands that run things: run, create, start, attach, exec. The framework
// also offers them at the top level (`berth run`, ...), as docker does.
import type { CommandSpec } from '../../framework/types.ts';
import { attachCommand } from './attach.ts';
import { createCommand } from './create.ts';
import { execCommand } from './exec.ts';
import { runCommand } from './run.ts';
import { startCommand } from './start.ts';

export const runCommands: CommandSpec[] = [runCommand, createCommand, startCommand, attachCommand, execCommand];
