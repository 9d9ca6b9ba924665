// GET /distribution/{name}/json as dockerd answers it: the descriptor a name resolves to and
// its platforms (an index's entries, or a single manifest's config).
import { BerthError, type ErrorKind } from '../common/index.ts';
import { parseNormalizedNamed, referenceString } from '../image/index.ts';
import type { AuthConfig } from './auth.ts';
import { MAX_CONFIG_SIZE, parseConfig, type FetchedManifest } from './manifest.ts';
import type { RegistryClient } from './registry-client.ts';
import { RegistryError } from './registry-errors.ts';

/** The reply: the descriptor of what a name resolves to, and its platforms. */
export interface DistributionInspect {
  Descriptor: { mediaType: string; digest: string; size: number };
  Platforms: { architecture: string; os: string; 'os.version'?: string; 'os.features'?: string[]; variant?: string; features?: string[] }[];
}

/**
 * dockerd's distribution route returns the registry's error as it is (no translatePullError),
 * and its status is the error code's own (httpstatus.statusCodeFromDistributionError): a
 * refused token is 401 or 403, not pull's 404 "pull access denied".
 */
const ERRCODE_KIND: Record<string, ErrorKind> = {
  UNAUTHORIZED: 'Unauthorized',
  DENIED: 'Forbidden',
  MANIFEST_UNKNOWN: 'NotFound',
  NAME_UNKNOWN: 'NotFound',
  BLOB_UNKNOWN: 'NotFound',
  NAME_INVALID: 'InvalidParameter',
  TAG_INVALID: 'InvalidParameter',
  MANIFEST_INVALID: 'InvalidParameter',
  UNAVAILABLE: 'Unavailable',
};

function inspectError(err: unknown): unknown {
  const kind = err instanceof RegistryError ? ERRCODE_KIND[err.code] : undefined;
  return kind ? new BerthError(kind, err instanceof Error ? err.message : String(err), { cause: err }) : err;
}

export async function inspectDistribution(client: RegistryClient, name: string, auth: AuthConfig): Promise<DistributionInspect> {
  let ref = parseNormalizedNamed(name);
  if (ref.tag === undefined && ref.digest === undefined) ref = { ...ref, tag: 'latest' };
  const target = ref.digest ?? ref.tag!;
  return client.withEndpoints(ref.domain, { path: ref.path, auth, actions: ['pull'] }, async (s) => {
    let m: FetchedManifest;
    try {
      m = await s.getManifest(target, referenceString(ref));
    } catch (err) {
      throw inspectError(err);
    }
    const out: DistributionInspect = { Descriptor: { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length }, Platforms: [] };
    if (m.manifest.kind === 'index') {
      for (const d of m.manifest.manifests) if (d.platform) out.Platforms.push({ ...d.platform });
    } else {
      // dockerd reads the config for a single manifest's platform.
      const cfg = parseConfig(await s.getBlob(m.manifest.config.digest, MAX_CONFIG_SIZE)) as { os?: string; architecture?: string; variant?: string; 'os.version'?: string; 'os.features'?: string[] };
      out.Platforms.push({
        architecture: cfg.architecture ?? '',
        os: cfg.os ?? '',
        ...(cfg['os.version'] ? { 'os.version': cfg['os.version'] } : {}),
        ...(cfg.variant ? { variant: cfg.variant } : {}),
      });
    }
    return out;
  });
}
