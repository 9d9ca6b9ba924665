// The command registry: docker's management commands (container, image, network, system) made
// of the verb lists the command modules export, berth's own top-level commands, and docker's
// top-level shortcuts (`ps` is `container ls`, `rmi` is `image rm`, ...). Shortcuts are looked
// up by name in the groups, so a verb that does not exist yet is simply left out.
import type { CommandSpec } from '../framework/types.ts';
import type { Registry } from '../framework/run-cli.ts';
import { runCommands } from './container/run-commands.ts';
import { manageCommands } from './container/manage-commands.ts';
import { statsUpdateCommands } from './container/stats-update-commands.ts';
import { imageCommands } from './image/index.ts';
import { networkCommands } from './network/index.ts';
import { systemCommands } from './system/index.ts';
import { volumeCommands } from './volume/index.ts';
import { builderCommands } from './builder/index.ts';
import { registryCommands } from './registry/index.ts';
import { inspectCommand } from './inspect.ts';
import { versionCommand } from './version.ts';
import { completionCommand } from './completion.ts';
import { composeCommand } from './compose/index.ts';

const group = (name: string, short: string, subcommands: CommandSpec[]): CommandSpec => ({ name, usage: '', short, subcommands });

const CONTAINER_SHORTCUTS = [
  'attach', 'commit', 'cp', 'create', 'diff', 'exec', 'export', 'kill', 'logs', 'pause', 'port', 'rename',
  'restart', 'rm', 'run', 'start', 'stats', 'stop', 'top', 'unpause', 'update', 'wait',
];
const IMAGE_SHORTCUTS = ['build', 'history', 'import', 'load', 'pull', 'push', 'save', 'tag'];

export const registry: Registry = {
  programName: 'berth',
  short: 'A self-sufficient runtime for containers',
  commands: [
    group('container', 'Manage containers', [...runCommands, ...manageCommands, ...statsUpdateCommands]),
    group('image', 'Manage images', imageCommands),
    group('builder', 'Manage builds', builderCommands),
    group('network', 'Manage networks', networkCommands),
    group('system', 'Manage berth', systemCommands),
    group('volume', 'Manage volumes', volumeCommands),
    composeCommand,
    inspectCommand,
    ...registryCommands,
    versionCommand,
    completionCommand(() => registry),
  ],
  shortcuts: [
    ...CONTAINER_SHORTCUTS.map((name) => ({ name, target: ['container', name] })),
    { name: 'ps', target: ['container', 'ls'] },
    ...IMAGE_SHORTCUTS.map((name) => ({ name, target: ['image', name] })),
    { name: 'images', target: ['image', 'ls'] },
    { name: 'rmi', target: ['image', 'rm'] },
    { name: 'info', target: ['system', 'info'] },
    { name: 'events', target: ['system', 'events'] },
  ],
  common: ['run', 'exec', 'ps', 'build', 'pull', 'push', 'images', 'login', 'logout', 'search', 'version', 'info'],
  hidden: ['completion'],
};
