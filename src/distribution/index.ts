// The distribution box: the registry client (endpoints, TLS from certs.d, auth, manifests)
// and the operations built on it (pull; push is built on the same client). Other boxes use
// only what this file exports.
//
// How push builds on it: `new RegistryClient(config)`, then
// `client.withEndpoints(ref.domain, { path, auth, actions: ['pull', 'push'] }, async (s) => ...)`
// where `s` (a RepositorySession) offers request() (auth, token refresh, absolute upload
// Locations), headManifest(), openBlob(), getManifest(), addScope() for a mount source, and
// registryErrorFromResponse() turns a failed response into Docker's error.
export { RegistryConfig, DEFAULT_CERTS_DIR, INDEX_SERVER } from './registry-config.ts';
export type { RegistryInfo } from './registry-config.ts';
export { RegistryClient, continueOnError } from './registry-client.ts';
export { decodeAuthConfig, credentials, repositoryScope } from './auth.ts';
export type { AuthConfig } from './auth.ts';
export { RegistryError, UnexpectedResponseError, registryErrorFromResponse } from './registry-errors.ts';
export { TransportError, readBody } from './transport.ts';
export type { HttpResponse } from './transport.ts';
export { MANIFEST_MEDIA, parseManifest } from './manifest.ts';
export type { ManifestIndex } from './manifest.ts';
export { parsePlatform, formatPlatform, hostPlatform } from './platform.ts';
export type { Platform } from './platform.ts';
export { pullImage, pullReference } from './pull.ts';
export { inspectDistribution } from './inspect.ts';
export { login } from './login.ts';
export { searchRegistry } from './search.ts';
export { pushImage } from './push.ts';
export type { PushImageSource } from './push.ts';
