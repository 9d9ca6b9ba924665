// The registry box: berth-registry, an OCI distribution server (a separate program, bin
// `berth-registry`, src/registry/main.ts), on its own storage drivers (storage/driver.ts) and
// authentication (auth/types.ts). berthd does not import it.
// Exports are what code outside the box uses (knip): the auth box adds its own when it lands.
export { MEDIA_OCI_MANIFEST, MEDIA_OCI_INDEX, MEDIA_DOCKER_MANIFEST } from './manifest.ts';
