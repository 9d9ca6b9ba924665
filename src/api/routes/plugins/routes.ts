// berth has no plugin system: the list is empty and a plugin lookup is a 404, as on a dockerd
// with no plugins installed (`docker inspect NAME` tries plugins too).
import type { Route } from '../../router.ts';
import { notFound } from '../../../common/index.ts';

export function pluginRoutes(): Route[] {
  return [
    { method: 'GET', path: '/plugins', handler: async (ctx) => ctx.reply(200, []) },
    { method: 'GET', path: '/plugins/{name:.*}/json', handler: async (ctx) => { throw notFound(`plugin "${ctx.params.name}" not found`); } },
  ];
}
