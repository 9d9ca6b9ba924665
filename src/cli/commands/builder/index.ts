// The `builder` subcommands: docker's `builder build` (the same command as `image build`) and
// `builder prune`.
import type { CommandSpec } from '../../framework/types.ts';
import { buildCommand } from '../image/build.ts';
import { builderPruneCommand } from './prune.ts';

export const builderCommands: CommandSpec[] = [buildCommand, builderPruneCommand];
