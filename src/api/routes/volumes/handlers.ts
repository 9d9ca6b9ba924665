// Thin handlers: parse, call one backend method, write the result (moby
// daemon/server/router/volume/volume_routes.go without a swarm).
import { BerthError, unavailable } from '../../../common/index.ts';
import type { ApiContext, Handler } from '../../router.ts';
import { boolValue, parseFilters, type Filters } from '../../request.ts';
import { BODIES } from '../../validate/index.ts';
import { hasFeature } from '../../version.ts';
import { VOLUME_LIST_FILTERS, VOLUME_PRUNE_FILTERS, type VolumesBackend } from './backend.ts';

/** moby's errNoSwarm: what a daemon outside a swarm says to cluster-volume requests. */
const NO_SWARM = 'This node is not part of a swarm';

/** The `filters` query; a value that is not JSON is "error reading volume filters: ..." for list, as moby. */
function listFilters(ctx: ApiContext): Filters {
  const raw = ctx.query.get('filters');
  let json = true;
  try {
    if (raw) JSON.parse(raw);
  } catch {
    json = false;
  }
  try {
    return parseFilters(ctx.query, VOLUME_LIST_FILTERS);
  } catch (err) {
    if (!json && err instanceof BerthError) throw new BerthError(err.kind, `error reading volume filters: ${err.message}`);
    throw err;
  }
}

export function volumeHandlers(b: VolumesBackend): Record<string, Handler> {
  return {
    async getVolumes(ctx) {
      ctx.reply(200, await b.list(listFilters(ctx)));
    },
    async getVolumesInspect(ctx) {
      ctx.reply(200, await b.inspect(ctx.params.name));
    },
    async postVolumesCreate(ctx) {
      // An empty body is a volume with a generated name (moby httputils.ReadJSON).
      const body = (await ctx.optionalJsonBody(BODIES.VolumeCreateOptions)) ?? {};
      if (body.ClusterVolumeSpec && hasFeature(ctx.version, 'clusterVolumes')) throw unavailable(NO_SWARM);
      ctx.reply(201, await b.create(body));
    },
    async putVolumesUpdate() {
      throw unavailable('volume update only valid for cluster volumes, but swarm is unavailable');
    },
    async deleteVolumes(ctx) {
      await b.remove(ctx.params.name, { force: boolValue(ctx.query, 'force') });
      ctx.reply(204);
    },
    async postVolumesPrune(ctx) {
      const filters = parseFilters(ctx.query, VOLUME_PRUNE_FILTERS);
      // Before 1.42 prune took every unused volume, not only anonymous ones.
      if (!hasFeature(ctx.version, 'pruneAnonymousVolumesOnly')) {
        const all = filters.get('all') ?? [];
        if (!all.includes('true')) filters.set('all', [...all, 'true']);
      }
      ctx.reply(200, await b.prune(filters));
    },
  };
}
