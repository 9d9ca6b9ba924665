// docker's registry commands: login, logout, search (top-level, as in docker).
import type { CommandSpec } from '../../framework/types.ts';
import { loginCommand } from './login.ts';
import { logoutCommand } from './logout.ts';
import { searchCommand } from './search.ts';

export const registryCommands: CommandSpec[] = [loginCommand, logoutCommand, searchCommand];
