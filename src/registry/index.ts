// The registry box: berth-registry, an OCI distribution server (a separate program, bin
// `berth-registry`), on the content box's verification rules and its own storage drivers
// (storage/driver.ts) and authentication (auth/types.ts). berthd does not import it.
export type { StorageDriver, FileInfo, FileWriter } from './storage/driver.ts';
export type { RegistryAuthenticator, AccessPolicy, Access, Subject, AuthDecision } from './auth/types.ts';
