// How berth-registry decides who may do what. The server asks one question per request:
// "this request needs these accesses; may it?". The answer comes from an authenticator
// (none, htpasswd basic auth, or bearer tokens from the built-in token service), and the
// grants from an AccessPolicy, the seam where projects, roles and robot accounts (Harbor's
// model, a later issue) plug in without touching the server.

/** Actions on a repository, as in distribution's token scopes (`repository:name:pull,push`). */
export type RepositoryAction = 'pull' | 'push' | 'delete';

/** One access a request needs, or a token grants: distribution's auth.Access / ResourceActions. */
export interface Access {
  /** `repository` for repository operations; `registry` with name `catalog` for `_catalog`. */
  type: 'repository' | 'registry';
  name: string;
  /** Repository actions, or `*` for registry:catalog:*. */
  actions: string[];
}

/** Who made the request, once authenticated. */
export interface Subject {
  /** The account name (a user, or a robot account later). */
  name: string;
  /** How the subject was authenticated. */
  via: 'basic' | 'token';
}

export type AuthDecision =
  | { ok: true; subject: Subject | undefined }
  | {
      ok: false;
      /** 401 with a WWW-Authenticate challenge when credentials are missing or wrong; 403 when known but not allowed. */
      status: 401 | 403;
      /** The WWW-Authenticate header value for a 401. */
      challenge?: string;
      /** The distribution error code: UNAUTHORIZED or DENIED. */
      code: 'UNAUTHORIZED' | 'DENIED';
      message: string;
      /** The accesses that were refused, for the error's detail. */
      detail?: Access[];
    };

/** The grants of a subject: Harbor-style projects and roles implement this later. */
export interface AccessPolicy {
  /** The subset of `requested` this subject (undefined = anonymous) may perform. */
  grant(subject: Subject | undefined, requested: Access[]): Promise<Access[]>;
}

/** Where a request came from, for challenges that name this registry (the token realm). */
export interface RequestOrigin {
  /** `http://host:port` or `https://host:port`, from the connection and its Host header. */
  origin: string;
}

/** What the registry server calls; built from the config's `auth` section. */
export interface RegistryAuthenticator {
  /**
   * Checks a request's Authorization header against every access it needs. `from` (added for
   * the built-in token service) lets a bearer challenge point at this registry's own token
   * endpoint as the client reached it.
   */
  authorize(authorization: string | undefined, needed: Access[], from?: RequestOrigin): Promise<AuthDecision>;
}
