// What `compose run` needs before its container, as docker compose's prepareRun: the image (built
// with --build or when missing and the service builds, else pulled when missing or as --pull
// says), the project's networks and volumes, and, unless --no-deps, the services it depends on
// up and in the state their depends_on conditions ask for (the engine's startDependencies).
import type { CommandContext } from '../../framework/types.ts';
import { networkCreateBody, volumeCreateBody, type Project, type ServiceConfig } from '../../../compose/index.ts';
import { composeEngine } from './engine-context.ts';

export interface PrepareRunOptions {
  noDeps: boolean;
  build: boolean;
  /** --pull: 'policy' (the service's pull_policy), 'always', 'missing', 'never'. */
  pull: string;
  quietPull: boolean;
  removeOrphans: boolean;
}

async function exists(ctx: CommandContext, path: string): Promise<boolean> {
  const r = await ctx.client.request('GET', path);
  r.body.resume();
  return r.status === 200;
}

/** The project's networks the service joins and the named volumes it mounts, created when missing. */
async function ensureResources(ctx: CommandContext, project: Project, service: ServiceConfig): Promise<void> {
  for (const key of Object.keys(service.networks ?? {})) {
    const net = project.networks[key];
    if (!net || net.external) continue;
    if (!(await exists(ctx, `/networks/${encodeURIComponent(net.name)}`))) await ctx.client.json('POST', '/networks/create', { body: networkCreateBody(project, key) });
  }
  for (const v of service.volumes ?? []) {
    if (v.type !== 'volume' || !v.source) continue;
    const vol = project.volumes[v.source];
    if (!vol || vol.external) continue;
    if (!(await exists(ctx, `/volumes/${encodeURIComponent(vol.name)}`))) await ctx.client.json('POST', '/volumes/create', { body: volumeCreateBody(project, v.source) });
  }
}

export async function prepareRun(ctx: CommandContext, project: Project, service: ServiceConfig, opts: PrepareRunOptions): Promise<void> {
  const engine = composeEngine(ctx, { quiet: opts.quietPull });
  const image = service.image || `${project.name}-${service.name}`;
  const policy = opts.pull === 'policy' ? service.pull_policy ?? 'missing' : opts.pull;
  if (service.build && (opts.build || policy === 'build' || !(await exists(ctx, `/images/${encodeURIComponent(image)}/json`)))) {
    await engine.build(project, { services: [service.name] });
  } else if (!service.build || policy === 'always') {
    if (policy === 'always' || (policy !== 'never' && !(await exists(ctx, `/images/${encodeURIComponent(image)}/json`)))) {
      await engine.pull(project, { services: [service.name], policy: policy === 'always' ? 'always' : 'missing', quiet: opts.quietPull });
    }
  }
  await ensureResources(ctx, project, service);
  if (!opts.noDeps) await engine.startDependencies(project, service.name, { removeOrphans: opts.removeOrphans });
}
