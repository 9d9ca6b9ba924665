// Registry credentials on the CLI's side: config.json and credential helpers, the AuthConfig
// encodings, and the registry key of an image name or a search term.
export { INDEX_SERVER, authConfigJson, authKeyForImage, convertToHostname, indexKeyOfName, encodeAuthConfig, searchIndexKey } from './auth-config.ts';
export type { AuthConfig } from './auth-config.ts';
export { credentialStore } from './store.ts';
export type { StoreContext } from './store.ts';
export { registryAuthHeader, storeContext } from './resolve.ts';
export { registryConfigHeader } from './all-credentials.ts';
