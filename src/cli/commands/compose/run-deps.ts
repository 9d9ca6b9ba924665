// What `compose run` needs before its container: the project's networks and volumes, and (unless
// --no-deps) the services it depends on, up.
//
// CALL SITE for the engine (cmp-engine): once its orchestration is merged, `prepareRun` calls its
// function that ensures the project's networks/volumes and starts the dependencies in order
// (docker compose's startDependencies), and builds/pulls the image on --build/--pull. Until then
// this fallback creates the missing networks and volumes the service uses and leaves the
// dependencies as they are.
import type { CommandContext } from '../../framework/types.ts';
import { networkCreateBody, volumeCreateBody, type Project, type ServiceConfig } from '../../../compose/index.ts';

export interface PrepareRunOptions {
  noDeps: boolean;
  build: boolean;
  pull: string;
  quietPull: boolean;
  removeOrphans: boolean;
}

export async function prepareRun(ctx: CommandContext, project: Project, service: ServiceConfig, opts: PrepareRunOptions): Promise<void> {
  void opts; // dependencies, build and pull: the engine's (see above)
  for (const key of Object.keys(service.networks ?? {})) {
    const net = project.networks[key];
    if (!net || net.external) continue;
    const found = await ctx.client.request('GET', `/networks/${encodeURIComponent(net.name)}`);
    found.body.resume();
    if (found.status === 404) await ctx.client.json('POST', '/networks/create', { body: networkCreateBody(project, key) });
  }
  for (const v of service.volumes ?? []) {
    if (v.type !== 'volume' || !v.source) continue;
    const vol = project.volumes[v.source];
    if (!vol || vol.external) continue;
    const found = await ctx.client.request('GET', `/volumes/${encodeURIComponent(vol.name)}`);
    found.body.resume();
    if (found.status === 404) await ctx.client.json('POST', '/volumes/create', { body: volumeCreateBody(project, v.source) });
  }
}
