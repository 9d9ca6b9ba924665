// Which blob (digest, media type, size) each layer diff was received as, so that save and
// push send the bytes as they came. Kept like moby's distribution metadata:
// image/distribution/v2metadata-by-diffid/sha256/<diff> and diffid-by-digest/sha256/<blob>.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic, isErrno } from '../common/index.ts';
import type { LayerBlob } from './types.ts';
import { isSha256Digest } from '../content/index.ts';

export class LayerBlobIndex {
  private readonly byDiff: string;
  private readonly byDigest: string;

  constructor(imageRoot: string) {
    this.byDiff = join(imageRoot, 'distribution', 'v2metadata-by-diffid', 'sha256');
    this.byDigest = join(imageRoot, 'distribution', 'diffid-by-digest', 'sha256');
  }

  async get(diffId: string): Promise<LayerBlob | undefined> {
    if (!isSha256Digest(diffId)) return undefined;
    try {
      const v = JSON.parse(await readFile(join(this.byDiff, diffId.slice(7)), 'utf8')) as Partial<LayerBlob>;
      if (typeof v.digest === 'string' && isSha256Digest(v.digest) && typeof v.mediaType === 'string' && typeof v.size === 'number') {
        return { digest: v.digest, mediaType: v.mediaType, size: v.size, ...(typeof v.sourceRepository === 'string' ? { sourceRepository: v.sourceRepository } : {}) };
      }
      return undefined;
    } catch (err) {
      if (isErrno(err, 'ENOENT') || err instanceof SyntaxError) return undefined;
      throw err;
    }
  }

  async diffIdOf(blobDigest: string): Promise<string | undefined> {
    if (!isSha256Digest(blobDigest)) return undefined;
    try {
      const v = (await readFile(join(this.byDigest, blobDigest.slice(7)), 'utf8')).trim();
      return isSha256Digest(v) ? v : undefined;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  async set(diffId: string, blob: LayerBlob): Promise<void> {
    await writeFileAtomic(join(this.byDigest, blob.digest.slice(7)), diffId);
    await writeJsonAtomic(join(this.byDiff, diffId.slice(7)), blob);
  }

  async delete(diffId: string): Promise<LayerBlob | undefined> {
    const blob = await this.get(diffId);
    await rm(join(this.byDiff, diffId.slice(7)), { force: true });
    if (blob) await rm(join(this.byDigest, blob.digest.slice(7)), { force: true });
    return blob;
  }
}
