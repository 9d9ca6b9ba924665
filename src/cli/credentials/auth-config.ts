// Docker's registry AuthConfig on the client side: the X-Registry-Auth header (base64url JSON, as
// registry.EncodeAuthConfig), the config.json "auth" field (base64 of "user:password"), and which
// config.json key holds a registry's credentials (ResolveAuthConfig / ConvertToHostname).
import { parseNormalizedNamed } from '../commands/image/reference.ts';

/** Docker Hub's key in config.json (registry.IndexServer). */
export const INDEX_SERVER = 'https://index.docker.io/v1/';

/** registry.AuthConfig, field names as Go marshals them (every field omitempty). */
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

const FIELD_ORDER: (keyof AuthConfig)[] = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'];

/** The JSON Go's encoding/json writes for an AuthConfig: fields in struct order, empty ones left out. */
export function authConfigJson(a: AuthConfig): string {
  const out: Record<string, string> = {};
  for (const k of FIELD_ORDER) if (a[k]) out[k] = a[k]!;
  return JSON.stringify(out);
}

/** registry.EncodeAuthConfig: base64url (with padding) of the JSON; "e30=" for no credentials. */
export function encodeAuthConfig(a: AuthConfig): string {
  return Buffer.from(authConfigJson(a)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** configfile's encodeAuth: base64("user:password"), '' when both are empty. */
export function encodeAuthField(username: string, password: string): string {
  if (!username && !password) return '';
  return Buffer.from(`${username}:${password}`).toString('base64');
}

/** configfile's decodeAuth, with its error for a value that is not "user:password". */
export function decodeAuthField(auth: string): { username: string; password: string } {
  if (auth === '') return { username: '', password: '' };
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(auth)) throw new Error('Invalid auth configuration file');
  return { username: text.slice(0, colon), password: text.slice(colon + 1).replace(/\0+$/, '') };
}

/** credentials.ConvertToHostname: "https://host:5000/v2/" -> "host:5000". */
export function convertToHostname(maybeUrl: string): string {
  let stripped = maybeUrl;
  const i = stripped.indexOf('://');
  if (i >= 0 && ['http', 'https'].includes(stripped.slice(0, i))) stripped = stripped.slice(i + 3);
  const slash = stripped.indexOf('/');
  return slash >= 0 ? stripped.slice(0, slash) : stripped;
}

/**
 * The config.json key for an image reference's registry (command.ResolveAuthConfig): Docker Hub's
 * IndexServer URL for docker.io names, else the registry's host[:port]. Throws the reference
 * parser's message for a bad name.
 */
export function authKeyForImage(image: string): string {
  return indexKeyOfName(parseNormalizedNamed(image).name);
}

/** The config.json key for a normalised repository name ("localhost:5000/x", "docker.io/library/x"). */
export function indexKeyOfName(name: string): string {
  return indexKey(name.split('/')[0]!);
}

/** The config.json key for a registry host: IndexServer for Docker Hub's names. */
function indexKey(domain: string): string {
  return domain === 'docker.io' || domain === 'index.docker.io' ? INDEX_SERVER : domain;
}

/**
 * The registry a search term names (registry.ParseSearchIndexInfo / splitReposSearchTerm): the
 * part before the first "/" when it looks like a host, else Docker Hub.
 */
export function searchIndexKey(term: string): string {
  const slash = term.indexOf('/');
  if (slash < 0) return INDEX_SERVER;
  const first = term.slice(0, slash);
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return INDEX_SERVER;
  return indexKey(first);
}
