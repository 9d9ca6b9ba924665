// The two RegistryAuthenticators of berth-registry: htpasswd basic auth (each request carries
// the password; the AccessPolicy decides) and bearer tokens from the built-in token service
// (the token carries the grants; the registry checks them), with distribution's challenges:
//   Basic realm="<realm>"
//   Bearer realm="<url>",service="<service>"[,scope="repository:a:pull,push ..."][,error="insufficient_scope"|"invalid_token"]
import type { Access, AccessPolicy, AuthDecision, RegistryAuthenticator, RequestOrigin, Subject } from './types.ts';
import { HtpasswdFile, parseBasicAuthorization } from './htpasswd.ts';
import { formatScope, mergeAccess, missingAccess } from './scope.ts';
import { verifyToken, TokenError } from './jwt.ts';
import type { SigningKey } from './jwt.ts';

/** distribution's errcode.ErrorCodeUnauthorized / ErrorCodeDenied messages. */
const UNAUTHORIZED_MESSAGE = 'authentication required';
const DENIED_MESSAGE = 'requested access to the resource is denied';

export class HtpasswdAuthenticator implements RegistryAuthenticator {
  readonly #realm: string;
  readonly #accounts: HtpasswdFile;
  readonly #policy: AccessPolicy;
  readonly #anonymous: boolean;

  constructor(opts: { realm: string; accounts: HtpasswdFile; policy: AccessPolicy; allowsAnonymous: boolean }) {
    this.#realm = opts.realm;
    this.#accounts = opts.accounts;
    this.#policy = opts.policy;
    this.#anonymous = opts.allowsAnonymous;
  }

  async authorize(authorization: string | undefined, needed: Access[]): Promise<AuthDecision> {
    const challenge = `Basic realm=${goQuote(this.#realm)}`;
    const unauthorized: AuthDecision = { ok: false, status: 401, challenge, code: 'UNAUTHORIZED', message: UNAUTHORIZED_MESSAGE, detail: needed };
    let subject: Subject | undefined;
    if (authorization !== undefined) {
      const creds = parseBasicAuthorization(authorization);
      if (!creds || !(await this.#accounts.verify(creds.user, creds.password))) return unauthorized;
      subject = { name: creds.user, via: 'basic' };
    } else if (!this.#anonymous || needed.length === 0) {
      // GET /v2/ always challenges an anonymous client, even where anonymous pulls are allowed:
      // clients learn from that answer whether (and how) to send credentials later.
      return unauthorized;
    }
    const missing = missingAccess(await this.#policy.grant(subject, needed), needed);
    if (missing.length === 0) return { ok: true, subject };
    // Anonymous and refused: ask for credentials. Known and refused: denied.
    if (subject === undefined) return unauthorized;
    return { ok: false, status: 403, code: 'DENIED', message: DENIED_MESSAGE, detail: missing };
  }
}

export class TokenAuthenticator implements RegistryAuthenticator {
  readonly #realm: string | undefined;
  readonly #defaultRealm: () => string;
  readonly #service: string;
  readonly #issuer: string;
  readonly #key: SigningKey;

  /**
   * `realm` is the configured token endpoint URL; without it the endpoint is this registry's own
   * `/auth/token` at the origin the client used (distribution's `autoredirect`), or
   * `defaultRealm()` when the server gives no origin.
   */
  constructor(opts: { realm?: string; defaultRealm: () => string; service: string; issuer: string; key: SigningKey }) {
    this.#realm = opts.realm;
    this.#defaultRealm = opts.defaultRealm;
    this.#service = opts.service;
    this.#issuer = opts.issuer;
    this.#key = opts.key;
  }

  challenge(needed: Access[], error?: 'invalid_token' | 'insufficient_scope', from?: RequestOrigin): string {
    const realm = this.#realm ?? (from ? `${from.origin}/auth/token` : this.#defaultRealm());
    let s = `Bearer realm=${goQuote(realm)},service=${goQuote(this.#service)}`;
    const scopes = mergeAccess(needed).map(formatScope).join(' ');
    if (scopes !== '') s += `,scope=${goQuote(scopes)}`;
    if (error) s += `,error=${goQuote(error)}`;
    return s;
  }

  authorize(authorization: string | undefined, needed: Access[], from?: RequestOrigin): Promise<AuthDecision> {
    const refuse = (error?: 'invalid_token' | 'insufficient_scope'): Promise<AuthDecision> =>
      Promise.resolve({ ok: false, status: 401, challenge: this.challenge(needed, error, from), code: 'UNAUTHORIZED', message: UNAUTHORIZED_MESSAGE, detail: needed });
    const m = authorization === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!m) return refuse();
    let claims;
    try {
      claims = verifyToken(this.#key, m[1] as string, { issuer: this.#issuer, audience: this.#service });
    } catch (err) {
      if (err instanceof TokenError) return refuse('invalid_token');
      throw err;
    }
    if (claims.berth_refresh) return refuse('invalid_token');
    // The detail lists every access the request needs, as distribution's does; the challenge's scope too.
    if (missingAccess(claims.access ?? [], needed).length > 0) return refuse('insufficient_scope');
    return Promise.resolve({ ok: true, subject: claims.sub === '' ? undefined : { name: claims.sub, via: 'token' } });
  }
}

/** Go's %q for the ASCII strings of challenges: backslash and double quote escaped. */
export function goQuote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}
