// `stats` and `update`, for the registry (container group and top-level shortcuts).
import type { CommandSpec } from '../../framework/types.ts';
import { statsCommand } from './stats.ts';
import { updateCommand } from './update.ts';

export const statsUpdateCommands: CommandSpec[] = [statsCommand, updateCommand];
