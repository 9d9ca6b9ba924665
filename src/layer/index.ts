// The layer box: image layers and container read-write layers on overlay2 or vfs, tar apply,
// and the shared in-root path resolver (DESIGN.md decisions 3 and 5).
export { openLayerStore } from './layer-store.ts';
export type { LayerStore } from './layer-store.ts';
export { resolveInRoot } from './resolve-in-root.ts';
