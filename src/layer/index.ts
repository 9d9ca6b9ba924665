// The layer box: image layers and container read-write layers on overlay2 or vfs, tar apply,
// and the shared in-root path resolver (DESIGN.md decisions 3 and 5).
export { openLayerStore, chainIdOf, MAX_LAYER_DEPTH } from './layer-store.ts';
export type { Layer, LayerStore, LayerStoreOptions, GraphDriverData } from './layer-store.ts';
export { resolveInRoot, MAX_SYMLINK_HOPS } from './resolve-in-root.ts';
export type { ResolveOptions } from './resolve-in-root.ts';
