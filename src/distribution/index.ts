// The distribution box: the registry client (endpoints, TLS from certs.d, auth, manifests)
// and the operations built on it (pull; push is built on the same client). Other boxes use
// only what this file exports.
export { RegistryConfig, DEFAULT_CERTS_DIR, INDEX_SERVER } from './registry-config.ts';
export type { RegistryOptions, RegistryEndpoint, RegistryInfo, IndexInfo } from './registry-config.ts';
export { RegistryClient, RepositorySession, continueOnError } from './registry-client.ts';
export type { SessionOptions, RepositoryAction } from './registry-client.ts';
export { decodeAuthConfig, credentials, repositoryScope } from './auth.ts';
export type { AuthConfig } from './auth.ts';
export { RegistryError, UnexpectedResponseError, registryErrorFromResponse } from './registry-errors.ts';
export { TransportError, readBody } from './transport.ts';
export type { HttpResponse, RequestOptions } from './transport.ts';
export { MANIFEST_MEDIA, MANIFEST_ACCEPT, MAX_MANIFEST_SIZE, parseManifest } from './manifest.ts';
export type { Descriptor, ImageManifest, ManifestIndex, ParsedManifest, FetchedManifest } from './manifest.ts';
export { parsePlatform, formatPlatform, hostPlatform } from './platform.ts';
export type { Platform } from './platform.ts';
export { pullImage, pullReference, inspectDistribution } from './pull.ts';
export type { PullRequest, PullDeps, DistributionInspect } from './pull.ts';
export { login } from './login.ts';
export { searchRegistry } from './search.ts';
export { pushImage } from './push.ts';
export type { PushImageSource } from './push.ts';
