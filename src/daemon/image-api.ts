// Implements the image route backend (and the image parts of /info and /system/df) on the
// image service: its records in, the API's version-gated shapes (api/shapes) out.
import {
  type ImagesBackend,
  type Filters,
  type JsonMessage,
  toImageHistory,
  toImageInspect,
  toImageSummary,
} from '../api/index.ts';
import type { ImageService } from '../image/index.ts';
import { decodeAuthConfig, pullImage, type AuthConfig, type RegistryClient } from '../distribution/index.ts';
import type { ContainerReader } from './containers/index.ts';

export class ImageApi implements ImagesBackend {
  private readonly images: ImageService;
  private readonly containers: Pick<ContainerReader, 'usedImages'>;
  readonly listFilterKeys = ['dangling', 'label', 'before', 'since', 'reference', 'until'] as const;

  private readonly registry: () => RegistryClient | undefined;

  constructor(images: ImageService, containers: Pick<ContainerReader, 'usedImages'>, registry: () => RegistryClient | undefined = () => undefined) {
    this.images = images;
    this.containers = containers;
    this.registry = registry;
  }

  private client(): RegistryClient {
    const c = this.registry();
    if (!c) throw new Error('no registry client configured');
    return c;
  }

  async pull(opts: { image: string; tag: string; platform: string; authHeader?: string }, progress: (m: JsonMessage) => void, signal?: AbortSignal) {
    // dockerd ignores a bad X-Registry-Auth on pull (an empty AuthConfig, for old clients).
    let auth: AuthConfig = {};
    try {
      auth = decodeAuthConfig(opts.authHeader);
    } catch {
      auth = {};
    }
    await pullImage({ images: this.images, client: this.client() }, { image: opts.image, tag: opts.tag, platform: opts.platform || undefined, auth, progress, signal });
  }

  private usage = (imageId: string) => this.containers.usedImages().get(imageId);

  async list(opts: { all: boolean; digests: boolean; filters: Filters; sharedSize: boolean; version: string }) {
    const entries = await this.images.list({ all: opts.all, filters: opts.filters, sharedSize: opts.sharedSize });
    return entries.map((e) => toImageSummary(e, opts.version));
  }

  async inspect(name: string, opts: { version: string; legacyContainerConfig?: boolean }) {
    return toImageInspect(await this.images.inspect(name), opts.version, { legacyContainerConfig: opts.legacyContainerConfig });
  }

  async history(name: string) {
    return toImageHistory(await this.images.history(name));
  }


  tag(name: string, repo: string, tag: string) {
    return this.images.tag(name, repo, tag || undefined);
  }

  remove(name: string, opts: { force: boolean; noprune: boolean }) {
    return this.images.delete(name, opts, this.usage);
  }

  async load(body: AsyncIterable<Uint8Array>, progress: (m: JsonMessage) => void) {
    await this.images.load(body, progress);
  }

  save(names: string[]) {
    return this.images.save(names);
  }

  async import(body: AsyncIterable<Uint8Array>, opts: { repo: string; tag: string; changes: string[]; message: string }, progress: (m: JsonMessage) => void) {
    const id = await this.images.import(body, { repo: opts.repo || undefined, tag: opts.tag || undefined, changes: opts.changes, message: opts.message || undefined });
    progress({ status: id });
  }

  prune(filters: Filters) {
    return this.images.prune(filters, this.usage);
  }

  async count(): Promise<number> {
    return (await this.images.list({})).length;
  }

  /** /system/df: images with their container counts, and the size of all layers. */
  async dfImages(usage: Map<string, number>) {
    const images = (await this.images.list({ all: true, sharedSize: true, containerCount: (id) => usage.get(id) ?? 0 })).map((e) => toImageSummary(e));
    // Each layer once, however many images share it (moby's LayerDiskUsage).
    return { images, layersSize: await this.images.layersSize() };
  }
}
