// Until the volumes issue lands: there are no volumes, and asking for one says so as Docker does.
import type { Route } from '../../router.ts';
import { notFound } from '../../../common/index.ts';

export function volumeRoutes(): Route[] {
  return [
    { method: 'GET', path: '/volumes', handler: async (ctx) => ctx.reply(200, { Volumes: [], Warnings: null }) },
    { method: 'GET', path: '/volumes/{name}', handler: async (ctx) => { throw notFound(`get ${ctx.params.name}: no such volume`); } },
  ];
}
