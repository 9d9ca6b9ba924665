import type { ApiContext, Handler } from '../../router.ts';
import type { SystemBackend } from './backend.ts';
import { parseFilters } from '../../request.ts';
import { invalidParameter, parseTimeArg, nowNs } from '../../../common/index.ts';
import { API_VERSION, hasFeature } from '../../version.ts';

function pingHeaders(): Record<string, string> {
  return {
    'Api-Version': API_VERSION,
    'Builder-Version': '1',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Pragma: 'no-cache',
    Swarm: 'inactive',
  };
}

function ping(ctx: ApiContext): void {
  const res = ctx.res!;
  res.writeHead(200, ctx.streamHeaders({ ...pingHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '2' }));
  res.end(ctx.method === 'HEAD' ? undefined : 'OK');
}

export function systemHandlers(b: SystemBackend): Record<string, Handler> {
  return {
    async getPing(ctx) {
      ping(ctx);
    },
    async getVersion(ctx) {
      ctx.reply(200, await b.version());
    },
    async getInfo(ctx) {
      ctx.reply(200, await b.info());
    },
    async getSystemDf(ctx) {
      const types = hasFeature(ctx.version, 'diskUsageTypes') ? ctx.query.getAll('type') : [];
      for (const t of types) {
        if (!['container', 'image', 'volume', 'build-cache'].includes(t)) throw invalidParameter(`unknown object type: ${t}`);
      }
      ctx.reply(200, await b.df(types));
    },
    async getEvents(ctx) {
      const filters = parseFilters(ctx.query, b.eventFilterKeys);
      const parse = (key: string): bigint | undefined => {
        const v = ctx.query.get(key);
        if (!v) return undefined;
        const t = parseTimeArg(v, nowNs());
        if (t === undefined) throw invalidParameter(`failed to parse value as time or duration: "${v}"`);
        return t;
      };
      const since = parse('since');
      const until = parse('until');
      if (since !== undefined && until !== undefined && since > until) {
        throw invalidParameter('`since` time should be before `until` time');
      }
      const res = ctx.res!;
      res.writeHead(200, ctx.streamHeaders({ 'Content-Type': 'application/json' }));
      res.flushHeaders();
      for await (const ev of b.events({ since, until, filters, signal: ctx.closed })) {
        res.write(ev + '\n');
      }
      res.end();
    },
  };
}
