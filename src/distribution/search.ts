// GET /images/search: moby's registry Service.Search over Docker's v1 search API. The term
// names the registry (the part before the first "/" when it looks like a host, else Docker
// Hub); the daemon pings <registry>/v1/_ping (https, then http for an insecure registry),
// asks GET /v1/search?q=&n= and filters the results (is-official, stars; is-automated=true
// yields nothing, the field being deprecated). A registry without the API answers 404:
// "unexpected status code 404", as dockerd says it.
import { BerthError, invalidParameter } from '../common/index.ts';
import { EndpointAuth, authenticateLines, credentials, parseChallenges, type AuthConfig } from './auth.ts';
import { readCertsDir } from './certs-dir.ts';
import type { RegistryClient } from './registry-client.ts';
import { Transport, TransportError, readBody } from './transport.ts';

const DEFAULT_LIMIT = 25;
const RESULT_LIMIT = 16 << 20;

export interface SearchResult {
  star_count: number;
  is_official: boolean;
  name: string;
  is_automated: boolean;
  description: string;
}

export interface SearchOptions {
  limit: number;
  /** Filter name -> values (already checked against is-automated, is-official, stars). */
  filters: ReadonlyMap<string, readonly string[]>;
  auth: AuthConfig;
}

/** splitReposSearchTerm: index name and remote name. */
export function splitSearchTerm(term: string): { index: string; remote: string } {
  const slash = term.indexOf('/');
  const first = slash >= 0 ? term.slice(0, slash) : '';
  if (slash < 0 || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return { index: 'docker.io', remote: term };
  return { index: first, remote: term.slice(slash + 1) };
}

/** filters.GetBoolOrDefault with its "invalid filter" error. */
function boolFilter(filters: ReadonlyMap<string, readonly string[]>, key: string): boolean | undefined {
  const values = filters.get(key);
  if (!values) return undefined;
  const isFalse = values.includes('0') || values.includes('false');
  const isTrue = values.includes('1') || values.includes('true');
  if (isFalse === isTrue) throw invalidParameter(`invalid filter '${key}=${values.join(',')}'`);
  return isTrue;
}

export async function searchRegistry(client: RegistryClient, term: string, opts: SearchOptions): Promise<SearchResult[]> {
  if (boolFilter(opts.filters, 'is-automated')) return [];
  const official = boolFilter(opts.filters, 'is-official');
  let minStars = 0;
  for (const v of opts.filters.get('stars') ?? []) {
    const n = /^[+-]?\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n)) throw invalidParameter(`invalid filter 'stars=${v}': strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
    if (n > minStars) minStars = n;
  }
  if (term.includes('://')) throw invalidParameter(`invalid repository name: repository name (${term}) should not have a scheme`);
  let { index, remote } = splitSearchTerm(term);
  if (index === 'docker.io') remote = remote.replace(/^library\//, '');
  const limit = opts.limit === 0 ? DEFAULT_LIMIT : opts.limit;
  if (limit < 1 || limit > 100) throw invalidParameter(`limit ${limit} is outside the range of [1, 100]`);

  const results = await queryV1(client, index, remote, limit, opts.auth);
  return results.filter((r) => (official === undefined || r.is_official === official) && r.star_count >= minStars)
    .map((r) => ({ ...r, is_automated: false }));
}

async function queryV1(client: RegistryClient, index: string, remote: string, limit: number, auth: AuthConfig): Promise<SearchResult[]> {
  // The v1 endpoints are the registry's own (never a mirror): https, then http when insecure.
  const endpoints = (await client.endpoints(index)).filter((e) => !e.mirror);
  const secure = endpoints.length === 1 || endpoints.every((e) => e.tlsVerify);
  let chosen: { base: string; transport: Transport } | undefined;
  let httpsErr: unknown;
  for (const ep of endpoints) {
    const tls = ep.certsHost ? await readCertsDir(client.config.certsDir, ep.certsHost) : {};
    const transport = new Transport({ tls, verify: ep.tlsVerify });
    try {
      // The ping's answer is not checked (moby only reads its standalone flag).
      const ping = await transport.request(new URL(`${ep.base}/v1/_ping`));
      ping.body.resume();
      chosen = { base: ep.base, transport };
      break;
    } catch (err) {
      transport.close();
      if (httpsErr === undefined) {
        httpsErr = err;
        if (secure) {
          const host = new URL(ep.base).host;
          throw invalidParameter(`invalid registry endpoint ${ep.base}/v1/: Get "${ep.base}/v1/_ping": ${(err as Error).message}. If this private registry supports only HTTP or HTTPS with an unknown CA certificate, please add \`--insecure-registry ${host}\` to the daemon's arguments. In the case of HTTPS, if you have access to the registry's CA certificate, no need for the flag; simply place the CA certificate at /etc/berth/certs.d/${host}/ca.crt`);
        }
        continue;
      }
      throw invalidParameter(`invalid registry endpoint "${endpoints[0]!.base}/v1/". HTTPS attempt: Get "${endpoints[0]!.base}/v1/_ping": ${(httpsErr as Error).message}. HTTP attempt: Get "${ep.base}/v1/_ping": ${(err as Error).message}`);
    }
  }
  if (!chosen) throw invalidParameter(`no endpoints for ${index}`);
  try {
    const u = new URL(`${chosen.base}/v1/search`);
    u.searchParams.set('q', remote);
    u.searchParams.set('n', String(limit));
    const headers: Record<string, string> = { 'X-Docker-Token': 'true' };
    const cred = credentials(auth);
    if (auth.identitytoken && auth.username) {
      // moby: with an identity token, a v2 token for registry:catalog:search from the /v2/ challenge.
      const ping = await chosen.transport.request(new URL(`${chosen.base}/v2/`)).catch(() => undefined);
      ping?.body.resume();
      if (ping?.status === 401) {
        const ea = new EndpointAuth(chosen.transport, auth);
        ea.challenges = parseChallenges(authenticateLines(ping));
        const authz = await ea.header(['registry:catalog:search']).catch(() => undefined);
        if (authz) headers.Authorization = authz;
      }
    } else if (cred?.username) {
      headers.Authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    }
    let res;
    try {
      res = await chosen.transport.request(u, { headers });
    } catch (err) {
      throw new BerthError('System', err instanceof TransportError ? `Get "${u.href}": ${err.message}` : (err as Error).message);
    }
    if (res.status !== 200) {
      res.body.resume();
      throw new BerthError('System', `unexpected status code ${res.status}`);
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(res, RESULT_LIMIT)).toString('utf8'));
    } catch (err) {
      throw new BerthError('System', `error decoding registry search results: ${(err as Error).message}`);
    }
    const list = body && typeof body === 'object' && Array.isArray((body as { results?: unknown }).results) ? (body as { results: unknown[] }).results : [];
    return list.filter((r): r is Record<string, unknown> => Boolean(r) && typeof r === 'object').map((r) => ({
      star_count: typeof r.star_count === 'number' ? Math.trunc(r.star_count) : 0,
      is_official: r.is_official === true,
      name: typeof r.name === 'string' ? r.name : '',
      is_automated: r.is_automated === true,
      description: typeof r.description === 'string' ? r.description : '',
    }));
  } finally {
    chosen.transport.close();
  }
}
