// What the image operations share: the stores, the layer store and the daemon's hooks.
import type { ContentStore } from '../content/index.ts';
import type { ImageStore } from './image-store.ts';
import type { LayerBlobIndex } from './layer-blobs.ts';
import type { ContainerUsage, ImageEventHook, ImageLayerStore } from './types.ts';

export interface ImageContext {
  store: ImageStore;
  layers: ImageLayerStore;
  content: ContentStore;
  blobs: LayerBlobIndex;
  usage: ContainerUsage;
  emit: ImageEventHook;
  /** <dataRoot>/tmp: scratch space on the data root's filesystem. */
  tmpRoot: string;
}
