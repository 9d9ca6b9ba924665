// Implements the registry routes (POST /auth, GET /images/search, POST /images/{name}/push) on
// the distribution box's client and the image service.
import type { Filters, JsonMessage, PushRequest, RegistryBackend, RegistryCredentials, SearchResultItem } from '../api/index.ts';
import { decodeAuthConfig, login, pushImage, searchRegistry, type AuthConfig, type PushImageSource, type RegistryClient } from '../distribution/index.ts';
import type { ImageService } from '../image/index.ts';

/** X-Registry-Auth as moby reads it for push and search: one that does not decode counts as none. */
function lenientAuth(header: string | undefined): AuthConfig {
  try {
    return decodeAuthConfig(header);
  } catch {
    return {};
  }
}

/** The image service as push sees it. */
function pushSource(images: ImageService): PushImageSource {
  return {
    imageOf(ref) {
      try {
        return images.get(ref).id;
      } catch {
        return undefined;
      }
    },
    tagsOf: (name) => images.repositoryTags(name),
    image(id) {
      const img = images.get(id);
      return {
        id: img.id, raw: img.raw, diffIds: [...img.config.rootfs.diff_ids],
        os: img.config.os || 'linux', architecture: img.config.architecture ?? '', variant: img.config.variant,
      };
    },
    layerBlob: (diffId) => images.layerBlob(diffId),
    recordLayerBlob: (diffId, blob) => images.recordLayerBlob(diffId, blob),
    hasBlob: (digest) => images.content.has(digest),
    readBlob: (digest) => images.content.read(digest),
    ingest: () => images.ingest(),
    // No write when the digest reference is already there (a push again).
    addDigestReference: async (ref, id) => void (await images.setPulledReference(ref, id)),
    logPushEvent: (ref) => images.logDistributionEvent('push', ref),
  };
}

export class RegistryApi implements RegistryBackend {
  private readonly client: () => RegistryClient;
  private readonly source: PushImageSource;

  /** `client` is read per request: a reload of daemon.json may replace it. */
  constructor(client: () => RegistryClient, images: ImageService) {
    this.client = client;
    this.source = pushSource(images);
  }

  login(auth: RegistryCredentials) {
    return login(this.client(), auth);
  }

  search(term: string, opts: { limit: number; filters: Filters; authHeader?: string }): Promise<SearchResultItem[]> {
    return searchRegistry(this.client(), term, { limit: opts.limit, filters: opts.filters, auth: lenientAuth(opts.authHeader) });
  }

  push(req: PushRequest, progress: (m: JsonMessage) => void): Promise<void> {
    const platform = req.platform?.os && req.platform.architecture
      ? { os: req.platform.os, architecture: req.platform.architecture, ...(req.platform.variant ? { variant: req.platform.variant } : {}) }
      : undefined;
    return pushImage(this.client(), this.source, { name: req.name, tag: req.tag, platform, auth: lenientAuth(req.authHeader), signal: req.signal }, (m) => progress(m as JsonMessage));
  }
}
