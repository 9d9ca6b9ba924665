// FROM's image (moby builder/dockerfile/imagecontext.go + daemon/images/image_builder.go
// GetImageAndReleasableLayer): the local image by reference or ID, else, or always with
// `pull=1`, pulled through the daemon's pull (the distribution box) with the build's
// X-Registry-Config credentials; the pull's progress messages go into the build's stream as
// dockerd's do.
import { isNotFound, notFound } from '../../common/index.ts';
import { familiarName, parseNormalizedNamed, type ImageService } from '../../image/index.ts';
import { formatPlatform, parsePlatform, pullImage, type AuthConfig, type RegistryClient } from '../../distribution/index.ts';
import type { JsonMessage } from '../../api/index.ts';
import type { StepImage } from '../../builder/index.ts';

export interface BaseImageDeps {
  images: ImageService;
  registry: () => RegistryClient;
  /** Credentials per registry (the X-Registry-Config header, decoded). */
  authFor: (domain: string) => AuthConfig;
  /** The build stream, for the pull's progress messages. */
  progress: (m: JsonMessage) => void;
}

export function localImage(images: Pick<ImageService, 'get'>, ref: string): StepImage | undefined {
  try {
    const img = images.get(ref);
    return { id: img.id, config: img.config };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    // A malformed reference is no local image either; the pull names what is wrong with it.
    return undefined;
  }
}

export async function resolveBaseImage(deps: BaseImageDeps, ref: string, opts: { pull: boolean; platform?: string; signal: AbortSignal }): Promise<StepImage> {
  if (!opts.pull) {
    const local = localImage(deps.images, ref);
    // A local image of another platform than the one asked is pulled for that one (moby's
    // GetImageAndReleasableLayer), not used.
    if (local && (!opts.platform || matchesPlatform(local, opts.platform))) return local;
  }
  // `FROM name` is `name:latest`; a name alone would pull every tag.
  const named = parseNormalizedNamed(ref);
  const name = familiarName(named);
  const tag = named.digest ?? named.tag ?? 'latest';
  await pullImage(
    { images: deps.images, client: deps.registry() },
    { image: name, tag, platform: opts.platform, auth: deps.authFor(named.domain), progress: (m) => deps.progress(m), signal: opts.signal },
  );
  const pulled = localImage(deps.images, named.digest ? `${name}@${named.digest}` : `${name}:${tag}`);
  if (!pulled) throw new Error(`pull of ${ref} made no image`);
  if (opts.platform && !matchesPlatform(pulled, opts.platform)) {
    const have = formatPlatform(parsePlatform(`${pulled.config.os || 'linux'}/${pulled.config.architecture || 'unknown'}${pulled.config.variant ? `/${pulled.config.variant}` : ''}`));
    throw notFound(`image with reference ${ref} was found but does not match the specified platform: wanted ${formatPlatform(parsePlatform(opts.platform))}, actual: ${have}`);
  }
  return pulled;
}

/** Whether an image's os/architecture (and variant, when both name one) are the platform's. */
function matchesPlatform(image: StepImage, platform: string): boolean {
  const want = parsePlatform(platform);
  const have = parsePlatform(`${image.config.os || 'linux'}/${image.config.architecture || want.architecture}${image.config.variant ? `/${image.config.variant}` : ''}`);
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  return !want.variant || !have.variant || want.variant === have.variant;
}
