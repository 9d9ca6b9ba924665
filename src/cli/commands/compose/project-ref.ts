// The project a command acts on: loaded from its files, or, for the verbs that only need the
// project's containers (down, stop, rm, kill, pause, restart...), only its name when -p is given and
// there is no compose file (docker compose v2's projectOrName).
import type { CommandContext } from '../../framework/types.ts';
import type { ProjectRef } from '../../../compose/index.ts';
import { loadComposeProject } from './project-options.ts';

export async function projectOrName(ctx: CommandContext): Promise<ProjectRef> {
  const name = ctx.groupFlags?.string('project-name') || '';
  try {
    const project = await loadComposeProject(ctx);
    return { name: project.name, project };
  } catch (err) {
    if (name && /no configuration file provided|not found/.test((err as Error).message) && !ctx.groupFlags?.list('file').length) return { name };
    throw err;
  }
}
