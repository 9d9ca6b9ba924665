// The layer box: image layers and container read-write layers on overlay2 or vfs, tar apply
// (DESIGN.md decision 3); paths inside a layer are resolved by the fsroot box (decision 5).
export { openLayerStore } from './layer-store.ts';
export type { LayerStore } from './layer-store.ts';
export type { DiffSource } from './graph-driver.ts';
