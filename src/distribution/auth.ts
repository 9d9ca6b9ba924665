// Registry authentication as docker/distribution's client does it (registry/client/auth):
// the WWW-Authenticate challenge of /v2/ says Basic or Bearer; a Bearer token is fetched from
// the realm (GET with Basic credentials, or POST OAuth2 with a refresh token), cached per
// scope until it expires. Hand-written: the challenge grammar and the token exchange are
// Docker-specific and handle credentials, so they are kept small and tested here.
import { BerthError, invalidParameter } from '../common/index.ts';
import { readBody, type HttpResponse, type Transport } from './transport.ts';
import { RegistryError, registryErrorFromResponse } from './registry-errors.ts';

/** The client's credentials (the API's X-Registry-Auth, Docker's types/registry.AuthConfig). */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64(username:password), as in ~/.docker/config.json. */
  auth?: string;
  email?: string;
  serveraddress?: string;
  /** An OAuth2 refresh token from a previous login. */
  identitytoken?: string;
  /** A bearer token to send as is. */
  registrytoken?: string;
}

export interface Challenge {
  /** Lower-case scheme: `basic`, `bearer`. */
  scheme: string;
  /** Parameters with lower-case names (realm, service, scope, error, ...). */
  params: Record<string, string>;
}

/**
 * Decodes X-Registry-Auth (base64url JSON, padding optional). An empty header is no credentials.
 * Errors read as moby's ("invalid X-Registry-Auth header: ...").
 */
export function decodeAuthConfig(header: string | undefined): AuthConfig {
  if (!header) return {};
  const text = header.trim();
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(text)) {
    const bad = text.search(/[^A-Za-z0-9_\-+/=]/);
    throw invalidParameter(`invalid X-Registry-Auth header: illegal base64 data at input byte ${bad < 0 ? 0 : bad}`);
  }
  const json = Buffer.from(text.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url').toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (err) {
    throw invalidParameter(`invalid X-Registry-Auth header: ${(err as Error).message}`);
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter('invalid X-Registry-Auth header: json: cannot unmarshal into Go value of type registry.AuthConfig');
  const o = v as Record<string, unknown>;
  const out: AuthConfig = {};
  for (const k of ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const) {
    const val = o[k] ?? o[k.charAt(0).toUpperCase() + k.slice(1)];
    if (val === undefined || val === null) continue;
    if (typeof val !== 'string') throw invalidParameter(`invalid X-Registry-Auth header: json: cannot unmarshal ${typeof val} into Go struct field AuthConfig.${k} of type string`);
    if (val !== '') out[k] = val;
  }
  return out;
}

/** Username and password, from the fields or from `auth` (base64 user:pass). */
export function credentials(a: AuthConfig): { username: string; password: string } | undefined {
  if (a.username || a.password) return { username: a.username ?? '', password: a.password ?? '' };
  if (a.auth) {
    const s = Buffer.from(a.auth, 'base64').toString('utf8');
    const i = s.indexOf(':');
    if (i > 0) return { username: s.slice(0, i), password: s.slice(i + 1) };
  }
  return undefined;
}

/**
 * The client could not authenticate before sending (Go's ErrNoBasicAuthCredentials): dockerd
 * reports it as `Get "<url>": no basic auth credentials` with status 500.
 */
export class NoCredentialsError extends BerthError {
  constructor(message = 'no basic auth credentials') {
    super('System', message);
  }
}

// --- WWW-Authenticate (distribution registry/client/auth/challenge/authchallenge.go) ---

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/** Parses every WWW-Authenticate header line of a response. */
export function parseChallenges(headerLines: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const line of headerLines) {
    const c = parseChallenge(line);
    if (c) out.push(c);
  }
  return out;
}

function parseChallenge(h: string): Challenge | undefined {
  let i = 0;
  const skipSpace = () => {
    while (i < h.length && (h[i] === ' ' || h[i] === '\t')) i++;
  };
  const token = () => {
    const start = i;
    while (i < h.length && TOKEN_CHAR.test(h[i])) i++;
    return h.slice(start, i);
  };
  skipSpace();
  const scheme = token();
  if (!scheme) return undefined;
  const params: Record<string, string> = {};
  for (;;) {
    skipSpace();
    const name = token().toLowerCase();
    if (!name) break;
    skipSpace();
    if (h[i] !== '=') break;
    i++;
    skipSpace();
    let value: string;
    if (h[i] === '"') {
      i++;
      let v = '';
      let closed = false;
      while (i < h.length) {
        const ch = h[i++];
        if (ch === '\\' && i < h.length) v += h[i++];
        else if (ch === '"') {
          closed = true;
          break;
        } else v += ch;
      }
      if (!closed) return { scheme: scheme.toLowerCase(), params };
      value = v;
    } else {
      value = token();
    }
    params[name] = value;
    skipSpace();
    if (h[i] !== ',') break;
    i++;
  }
  return { scheme: scheme.toLowerCase(), params };
}

/** The WWW-Authenticate lines of a response, kept apart. */
export function authenticateLines(res: Pick<HttpResponse, 'rawHeaders'>): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    if (res.rawHeaders[i].toLowerCase() === 'www-authenticate') out.push(res.rawHeaders[i + 1]);
  }
  return out;
}

// --- tokens ---

interface CachedToken {
  token: string;
  expires: number;
}

/** A token response (the Docker token spec and OAuth2). */
interface TokenResponse {
  token?: string;
  access_token?: string;
  expires_in?: number;
  refresh_token?: string;
}

const MIN_TOKEN_SECONDS = 60;
const TOKEN_BODY_LIMIT = 1 << 20;

/**
 * Auth for one endpoint: the challenges from its /v2/ ping and the tokens fetched so far,
 * keyed by their scopes.
 */
export class EndpointAuth {
  private readonly transport: Transport;
  private readonly auth: AuthConfig;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();
  challenges: Challenge[] = [];
  /** A refresh token the server gave (POST OAuth2); returned by login. */
  refreshToken?: string;

  constructor(transport: Transport, auth: AuthConfig) {
    this.transport = transport;
    this.auth = auth;
  }

  /** The Authorization header for a request needing `scopes`, or undefined when none is asked. */
  async header(scopes: readonly string[]): Promise<string | undefined> {
    const bearer = this.challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      if (this.auth.registrytoken) return `Bearer ${this.auth.registrytoken}`;
      return `Bearer ${await this.token(bearer, scopes)}`;
    }
    const basic = this.challenges.find((c) => c.scheme === 'basic');
    if (basic) {
      const cred = credentials(this.auth);
      if (!cred) throw new NoCredentialsError();
      return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    }
    return undefined;
  }

  /** Forgets the token of these scopes (after a 401 with a cached token). */
  invalidate(scopes: readonly string[]): void {
    this.tokens.delete(scopeKey(scopes));
  }

  private token(ch: Challenge, scopes: readonly string[]): Promise<string> {
    const key = scopeKey(scopes);
    const hit = this.tokens.get(key);
    if (hit && hit.expires > Date.now()) return Promise.resolve(hit.token);
    let p = this.pending.get(key);
    if (!p) {
      p = this.fetchToken(ch, scopes).then(
        (t) => {
          this.pending.delete(key);
          return t;
        },
        (e: unknown) => {
          this.pending.delete(key);
          throw e;
        },
      );
      this.pending.set(key, p);
    }
    return p;
  }

  private async fetchToken(ch: Challenge, scopes: readonly string[]): Promise<string> {
    const realm = ch.params.realm;
    if (!realm) throw new RegistryError(0, 'UNAUTHORIZED', 'no realm specified for token auth challenge');
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new RegistryError(0, 'UNAUTHORIZED', `invalid token auth challenge realm: ${realm}`);
    }
    const service = ch.params.service ?? '';
    const cred = credentials(this.auth);
    const refresh = this.auth.identitytoken;
    let resp: TokenResponse;
    if (refresh) {
      resp = await this.postToken(realmUrl, service, scopes, refresh, cred?.username);
    } else {
      resp = await this.getToken(realmUrl, service, scopes, cred);
    }
    const token = resp.token || resp.access_token;
    if (!token) throw new RegistryError(0, 'UNAUTHORIZED', 'authorization server did not include a token in the response');
    if (resp.refresh_token) this.refreshToken = resp.refresh_token;
    const secs = typeof resp.expires_in === 'number' && resp.expires_in > MIN_TOKEN_SECONDS ? resp.expires_in : MIN_TOKEN_SECONDS;
    this.tokens.set(scopeKey(scopes), { token, expires: Date.now() + (secs - 5) * 1000 });
    return token;
  }

  private async getToken(realm: URL, service: string, scopes: readonly string[], cred?: { username: string; password: string }): Promise<TokenResponse> {
    const u = new URL(realm);
    if (service) u.searchParams.set('service', service);
    for (const s of scopes) u.searchParams.append('scope', s);
    if (cred?.username) u.searchParams.set('account', cred.username);
    const headers: Record<string, string> = {};
    if (cred) headers.Authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    const res = await this.transport.request(u, { headers });
    if (res.status !== 200) throw await tokenError(res);
    return parseTokenBody(await readBody(res, TOKEN_BODY_LIMIT));
  }

  private async postToken(realm: URL, service: string, scopes: readonly string[], refresh: string, username?: string): Promise<TokenResponse> {
    const form = new URLSearchParams();
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', refresh);
    form.set('service', service);
    form.set('client_id', 'docker');
    if (scopes.length) form.set('scope', scopes.join(' '));
    if (username) form.set('username', username);
    const res = await this.transport.request(realm, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: form.toString(),
    });
    if (res.status !== 200) throw await tokenError(res);
    return parseTokenBody(await readBody(res, TOKEN_BODY_LIMIT));
  }
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}

function parseTokenBody(b: Buffer): TokenResponse {
  try {
    const v = JSON.parse(b.toString('utf8')) as unknown;
    if (v && typeof v === 'object') return v as TokenResponse;
  } catch {
    // fall through
  }
  throw new RegistryError(0, 'UNAUTHORIZED', 'unable to decode token response');
}

async function tokenError(res: HttpResponse): Promise<Error> {
  const err = await registryErrorFromResponse(res);
  if (res.status === 401 && err instanceof RegistryError && err.code === 'UNKNOWN') {
    return new RegistryError(401, 'UNAUTHORIZED', 'authentication required');
  }
  return err;
}

/** `repository:<name>:<actions>`. */
export function repositoryScope(path: string, actions: readonly string[]): string {
  return `repository:${path}:${actions.join(',')}`;
}
