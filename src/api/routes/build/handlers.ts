// POST /build, /build/prune, /build/cancel (moby daemon/server/router/build/build_routes.go):
// the query read as newImageBuildOptions reads it, with its errors; the build's JSON stream, an
// error before any output as an HTTP error and after it in the stream (with the RUN's exit code
// as dockerd's `errorDetail.code`); `q` keeps everything back but the final ID line.
import type { ApiContext, Handler } from '../../router.ts';
import type { BuildBackend, BuildAuthConfig, BuildRequest } from './backend.ts';
import { boolValue, intValue, parseFilters } from '../../request.ts';
import { JsonStreamWriter, type JsonMessage } from '../../streams/json-stream.ts';
import { hasFeature } from '../../version.ts';
import { invalidParameter } from '../../../common/index.ts';
import { decodeOutputs, decodeStringList, decodeStringMap, decodeStringPtrMap, decodeUlimits } from './query-json.ts';

/** The build cache filters BuildKit's prune takes (moby builder-next cacheFields, and `until`'s synonyms). */
const PRUNE_FILTERS = ['until', 'unused-for', 'unusedfor', 'id', 'parent', 'type', 'description', 'inuse', 'shared', 'private'] as const;

/** The header berth's CLI sends secrets in (the classic API has no session to carry them). */
const SECRETS_HEADER = 'x-berth-build-secrets';

function wrapped<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw invalidParameter(`${prefix}: ${(err as Error).message}`);
  }
}

/** X-Registry-Config: base64url JSON of auth configs by registry; moby ignores a bad one. */
function authConfigs(header: string | string[] | undefined): Record<string, BuildAuthConfig> {
  if (typeof header !== 'string' || header === '') return {};
  try {
    const v: unknown = JSON.parse(Buffer.from(header.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url').toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: Record<string, BuildAuthConfig> = {};
    for (const [host, cfg] of Object.entries(v as Record<string, unknown>)) {
      if (!cfg || typeof cfg !== 'object') continue;
      const c = cfg as Record<string, unknown>;
      const pick = (k: string) => {
        const val = c[k] ?? c[k.charAt(0).toUpperCase() + k.slice(1)];
        return typeof val === 'string' && val !== '' ? val : undefined;
      };
      out[host] = {
        username: pick('username'), password: pick('password'), auth: pick('auth'), email: pick('email'),
        serveraddress: pick('serveraddress'), identitytoken: pick('identitytoken'), registrytoken: pick('registrytoken'),
      };
    }
    return out;
  } catch {
    return {};
  }
}

/** X-Berth-Build-Secrets: base64 of JSON `{"<id>": "<base64 bytes>"}`. Its content never appears in an error. */
function secrets(header: string | string[] | undefined): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  if (typeof header !== 'string' || header === '') return out;
  const refuse = (why: string) => invalidParameter(`invalid X-Berth-Build-Secrets header: ${why}`);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(header.trim())) throw refuse('not base64');
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(header.trim(), 'base64').toString('utf8'));
  } catch {
    throw refuse('not a JSON object');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw refuse('not a JSON object');
  for (const [id, data] of Object.entries(v as Record<string, unknown>)) {
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(data)) throw refuse(`the value of secret ${JSON.stringify(id.slice(0, 64))} is not base64`);
    out.set(id, new Uint8Array(Buffer.from(data, 'base64')));
  }
  return out;
}

/** moby newImageBuildOptions, then the checks postBuild makes before building. */
function parseBuildRequest(ctx: Pick<ApiContext, 'query' | 'req' | 'version'>): BuildRequest {
  const q = ctx.query;
  const has = (k: string) => (q.get(k) ?? '') !== '';
  if (q.getAll('securityopt').length) throw invalidParameter('security options are not supported on linux');
  const remove = boolValue(q, 'forcerm') || !has('rm') || boolValue(q, 'rm');
  const isolation = q.get('isolation') ?? '';
  if (isolation !== '' && isolation.toLowerCase() !== 'default') throw invalidParameter(`unsupported isolation: ${JSON.stringify(isolation)}`);
  const outputs = hasFeature(ctx.version, 'buildOutputs') && has('outputs') ? wrapped('invalid outputs specified', () => decodeOutputs(q.get('outputs')!)) : [];
  const ulimits = has('ulimits') ? wrapped('error reading ulimit settings', () => decodeUlimits(q.get('ulimits')!)) : [];
  const buildArgs = has('buildargs') ? wrapped('error reading build args', () => decodeStringPtrMap(q.get('buildargs')!)) : {};
  const labels = has('labels') ? wrapped('error reading labels', () => decodeStringMap(q.get('labels')!)) : {};
  const cacheFrom = has('cachefrom') ? wrapped('error reading cache-from', () => decodeStringList(q.get('cachefrom')!)) : [];
  const version = q.get('version') ?? '';
  if (version !== '' && version !== '1' && version !== '2') throw invalidParameter(`invalid version ${JSON.stringify(version)}`);
  if (boolValue(q, 'squash')) throw invalidParameter('squash is only supported with experimental mode');
  // A dockerd whose BuildKit is off answers a BuildKit build so (the docker CLI here has no buildx).
  if (version === '2') throw invalidParameter('buildkit is not enabled on daemon');
  const length = Number(ctx.req.headers['content-length']);
  return {
    dockerfile: q.get('dockerfile') ?? '',
    tags: q.getAll('t'),
    extraHosts: q.getAll('extrahosts'),
    remote: q.get('remote') ?? '',
    quiet: boolValue(q, 'q'),
    noCache: boolValue(q, 'nocache'),
    cacheFrom,
    pull: boolValue(q, 'pull'),
    remove,
    forceRemove: boolValue(q, 'forcerm'),
    memory: intValue(q, 'memory', 0),
    memorySwap: intValue(q, 'memswap', 0),
    cpuShares: intValue(q, 'cpushares', 0),
    cpuSetCpus: q.get('cpusetcpus') ?? '',
    cpuPeriod: intValue(q, 'cpuperiod', 0),
    cpuQuota: intValue(q, 'cpuquota', 0),
    buildArgs,
    shmSize: intValue(q, 'shmsize', 0),
    labels,
    networkMode: q.get('networkmode') ?? '',
    platform: hasFeature(ctx.version, 'buildPlatform') ? q.get('platform') ?? '' : '',
    target: q.get('target') ?? '',
    outputs,
    ulimits,
    buildId: q.get('buildid') ?? '',
    authConfigs: authConfigs(ctx.req.headers['x-registry-config']),
    secrets: secrets(ctx.req.headers[SECRETS_HEADER]),
    contentLength: Number.isFinite(length) && length >= 0 ? length : undefined,
  };
}

/** streamformatter.FormatError: jsonmessage.JSONError with the exit code when a RUN failed. */
function errorMessage(err: unknown): JsonMessage {
  const message = err instanceof Error ? err.message : String(err);
  // The builder's errors carry a failed RUN's exit code (moby's jsonmessage.JSONError.Code).
  const e = err as { code?: unknown; exitCode?: unknown } | null;
  const code = typeof e?.code === 'number' ? e.code : e?.exitCode;
  return { errorDetail: typeof code === 'number' ? { code, message } : { message }, error: message };
}

export function buildHandlers(b: BuildBackend): Record<string, Handler> {
  return {
    async postBuild(ctx) {
      const req = parseBuildRequest(ctx);
      const wantAux = hasFeature(ctx.version, 'buildAux');
      const out = new JsonStreamWriter(ctx.res!);
      let started = false;
      const held: JsonMessage[] = [];
      const emit = (m: JsonMessage) => {
        if (m.aux !== undefined && !wantAux) return;
        if (req.quiet) {
          held.push(m);
          return;
        }
        started = true;
        out.write(m);
      };
      let id: string;
      try {
        id = await b.build(req, ctx.req, emit, ctx.closed);
      } catch (err) {
        if (req.quiet && held.length) {
          for (const m of held) out.write(m);
          started = true;
        }
        // As dockerd: nothing sent yet, so the error gets its HTTP status.
        if (!started) throw err;
        if (!ctx.closed.aborted) out.write(errorMessage(err));
        out.end();
        return;
      }
      if (req.quiet) out.write({ stream: `${id}\n` });
      out.end();
    },

    async postBuildPrune(ctx) {
      const filters = parseFilters(ctx.query, PRUNE_FILTERS);
      const bytes = (name: string) => {
        const v = ctx.query.get(name) ?? '';
        if (v === '') return 0;
        if (!/^[+-]?\d+$/.test(v.trim())) throw invalidParameter(`${name} is in bytes and expects an integer, got ${v}: strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
        return Number(v.trim());
      };
      let reservedSpace: number;
      let maxUsedSpace = 0;
      let minFreeSpace = 0;
      if (hasFeature(ctx.version, 'buildPruneSpaces')) {
        reservedSpace = bytes('reserved-space') || bytes('keep-storage');
        maxUsedSpace = bytes('max-used-space');
        minFreeSpace = bytes('min-free-space');
      } else {
        reservedSpace = bytes('keep-storage');
      }
      ctx.reply(200, await b.prune({ all: boolValue(ctx.query, 'all'), filters, reservedSpace, maxUsedSpace, minFreeSpace }));
    },

    async postBuildCancel(ctx) {
      const id = ctx.query.get('id') ?? '';
      if (id === '') throw invalidParameter('build ID not provided');
      await b.cancel(id);
      ctx.res!.writeHead(200, ctx.streamHeaders({ 'Content-Type': 'application/json', 'Content-Length': '0' }));
      ctx.res!.end();
    },
  };
}
