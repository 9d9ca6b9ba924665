// Thin handlers: parse, call one backend method, write the result.
import type { Handler } from '../../router.ts';
import { invalidParameter, parseGoBool, truncate } from '../../../common/index.ts';
import { parseFilters } from '../../request.ts';
import { BODIES, checkNetworkName } from '../../validate/index.ts';
import { NETWORK_LIST_FILTERS, NETWORK_PRUNE_FILTERS, type NetworksBackend } from './backend.ts';

export function networkHandlers(b: NetworksBackend): Record<string, Handler> {
  return {
    async getNetworks(ctx) {
      ctx.reply(200, await b.list(parseFilters(ctx.query, NETWORK_LIST_FILTERS)));
    },
    async getNetworksInspect(ctx) {
      // strconv.ParseBool, as moby's getNetwork reads `verbose`.
      const v = ctx.query.get('verbose') ?? '';
      const verbose = v === '' ? false : parseGoBool(v);
      if (verbose === undefined) throw invalidParameter(`invalid value for verbose: ${truncate(v, 64)}`);
      ctx.reply(200, await b.inspect(ctx.params.id, { verbose, scope: ctx.query.get('scope') ?? '' }));
    },
    async postNetworksCreate(ctx) {
      const body = await ctx.jsonBody(BODIES.NetworkCreateRequest);
      checkNetworkName(body.Name);
      ctx.reply(201, await b.create(body));
    },
    async deleteNetworks(ctx) {
      await b.remove(ctx.params.id);
      ctx.reply(204);
    },
    async postNetworksConnect(ctx) {
      await b.connect(ctx.params.id, await ctx.jsonBody(BODIES.NetworkConnectRequest));
      ctx.reply(200);
    },
    async postNetworksDisconnect(ctx) {
      await b.disconnect(ctx.params.id, await ctx.jsonBody(BODIES.NetworkDisconnectRequest));
      ctx.reply(200);
    },
    async postNetworksPrune(ctx) {
      ctx.reply(200, await b.prune(parseFilters(ctx.query, NETWORK_PRUNE_FILTERS)));
    },
  };
}
