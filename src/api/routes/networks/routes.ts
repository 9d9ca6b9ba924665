// Until the networking issue lands: the predefined `none` and `host` networks exist (as in
// every dockerd), so `docker network ls` and `docker inspect NAME` answer as Docker does.
import type { Route } from '../../router.ts';
import { notFound } from '../../../common/errors.ts';

export interface NetworksBackend {
  list(): unknown[];
  inspect(idOrName: string): unknown | undefined;
}

export function networkRoutes(b: NetworksBackend): Route[] {
  return [
    { method: 'GET', path: '/networks', handler: async (ctx) => ctx.reply(200, b.list()) },
    {
      method: 'GET', path: '/networks/{id}', handler: async (ctx) => {
        const n = b.inspect(ctx.params.id);
        if (!n) throw notFound(`network ${ctx.params.id} not found`);
        ctx.reply(200, n);
      },
    },
  ];
}
