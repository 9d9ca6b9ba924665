// `berth compose`: docker compose v2's command line over the compose box (src/compose).
import type { CommandSpec } from '../../framework/types.ts';
import { COMPOSE_FLAGS } from './project-options.ts';
import { lifecycleCommands } from './lifecycle.ts';
import { otherCommands } from './other-commands.ts';

export const composeCommand: CommandSpec = {
  name: 'compose',
  usage: '[OPTIONS] COMMAND',
  short: 'Docker Compose',
  long: 'Define and run multi-container applications with Docker',
  flags: COMPOSE_FLAGS,
  subcommands: [...lifecycleCommands, ...otherCommands].sort((a, b) => (a.name < b.name ? -1 : 1)),
};
