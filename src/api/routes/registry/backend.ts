// What the registry-facing routes need from the daemon: POST /auth (login check), GET
// /images/search (a registry's v1 search API) and POST /images/{name}/push.
import type { JsonMessage } from '../../streams/json-stream.ts';
import type { Filters } from '../../request.ts';

/** registry.AuthConfig as the client sends it (POST /auth body, X-Registry-Auth header). */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface SearchResultItem {
  description: string;
  is_official: boolean;
  /** Deprecated by Docker: always false. */
  is_automated: boolean;
  name: string;
  star_count: number;
}

export interface PushRequest {
  /** The repository as named in the path ("localhost:5000/app"). */
  name: string;
  /** '' = every tag of the repository. */
  tag: string;
  platform?: { os?: string; architecture?: string; variant?: string };
  /** The X-Registry-Auth header as sent (decoded by the daemon; a bad one counts as none). */
  authHeader?: string;
  /** Aborted when the client goes away: the push stops. */
  signal?: AbortSignal;
}

export interface RegistryBackend {
  /** Checks the credentials against the registry; resolves to {Status, IdentityToken}. */
  login(auth: RegistryCredentials): Promise<{ Status: string; IdentityToken: string }>;
  search(term: string, opts: { limit: number; filters: Filters; authHeader?: string }): Promise<SearchResultItem[]>;
  /** Errors thrown before the first progress message become the HTTP status; later ones go in-band. */
  push(req: PushRequest, progress: (m: JsonMessage) => void): Promise<void>;
}
