import type { Route } from '../../router.ts';
import type { DistributionBackend } from './backend.ts';

export function distributionRoutes(b: DistributionBackend): Route[] {
  return [
    {
      method: 'GET',
      path: '/distribution/{name:.*}/json',
      handler: async (ctx) => {
        const auth = ctx.req.headers['x-registry-auth'];
        ctx.reply(200, await b.inspect(ctx.params.name, typeof auth === 'string' ? auth : undefined));
      },
    },
  ];
}
