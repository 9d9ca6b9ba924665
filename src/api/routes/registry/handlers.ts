// POST /auth, GET /images/search and POST /images/{name}/push (moby's system and image routers).
import type { Handler } from '../../router.ts';
import type { RegistryBackend } from './backend.ts';
import { parseFilters } from '../../request.ts';
import { JsonStreamWriter } from '../../streams/json-stream.ts';
import { BODIES } from '../../validate/index.ts';
import { hasFeature } from '../../version.ts';
import { invalidParameter } from '../../../common/index.ts';
import { credentialsFrom } from './auth-body.ts';

const SEARCH_FILTERS = ['is-automated', 'is-official', 'stars'];

function authHeader(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

function platformParam(value: string | null): { os?: string; architecture?: string; variant?: string } | undefined {
  if (!value) return undefined;
  let p: unknown;
  try {
    p = JSON.parse(value);
  } catch (err) {
    throw invalidParameter(`failed to parse platform: ${(err as Error).message}`);
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw invalidParameter('failed to parse platform: not a JSON object');
  const o = p as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined);
  if (!str('os') || !str('architecture')) throw invalidParameter('failed to parse platform: both os and architecture must be set');
  return { os: str('os'), architecture: str('architecture'), variant: str('variant') };
}

export function registryHandlers(b: RegistryBackend): Record<string, Handler> {
  return {
    async postAuth(ctx) {
      const body = await ctx.jsonBody(BODIES.AuthConfig);
      ctx.reply(200, await b.login(credentialsFrom(body)));
    },
    async getImagesSearch(ctx) {
      const raw = ctx.query.get('limit') ?? '';
      let limit = 0;
      if (raw !== '') {
        limit = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
        if (!Number.isSafeInteger(limit) || limit < 0) throw invalidParameter(`invalid limit specified: strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax`);
      }
      const filters = parseFilters(ctx.query, SEARCH_FILTERS);
      ctx.reply(200, await b.search(ctx.query.get('term') ?? '', { limit, filters, authHeader: authHeader(ctx.req.headers['x-registry-auth']) }));
    },
    async postImagesPush(ctx) {
      if (ctx.query.get('platform') && !hasFeature(ctx.version, 'pushPlatform')) throw invalidParameter('selecting platform is not supported in API version < 1.46');
      const platform = platformParam(ctx.query.get('platform'));
      const out = new JsonStreamWriter(ctx.res!);
      let started = false;
      try {
        await b.push({ name: ctx.params.name, tag: ctx.query.get('tag') ?? '', platform, authHeader: authHeader(ctx.req.headers['x-registry-auth']), signal: ctx.closed }, (m) => {
          started = true;
          out.write(m);
        });
      } catch (err) {
        if (!started) throw err;
        out.error((err as Error).message);
      }
      out.end();
    },
  };
}
