// The built-in token service (distribution's docs/spec/auth/token.md and oauth.md), served by
// berth-registry itself at the realm's path (default /auth/token):
//   GET  ?service=S&scope=repository:a:pull,push&scope=...&account=U[&offline_token=true&client_id=C]
//        with Basic credentials, or none when the policy serves anonymous clients;
//   POST application/x-www-form-urlencoded, grant_type=password (username, password) or
//        grant_type=refresh_token (refresh_token), service, client_id, scope (space-separated),
//        access_type=offline for a refresh token.
// The answer is {token, access_token, expires_in, issued_at[, refresh_token][, scope]}. The token's
// `access` holds only what the AccessPolicy grants: asking for more yields a token with less, as
// distribution's token servers do; the registry then refuses what is missing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessPolicy, Subject } from './types.ts';
import { HtpasswdFile, parseBasicAuthorization } from './htpasswd.ts';
import { parseScopes, ScopeError, formatScope } from './scope.ts';
import { newTokenId, signToken, verifyToken, TokenError } from './jwt.ts';
import type { SigningKey } from './jwt.ts';
import { goQuote } from './authenticators.ts';

const MAX_FORM_BYTES = 64 * 1024;

export interface TokenServiceOptions {
  /** The URL path the endpoint answers on (the realm's path). */
  path: string;
  service: string;
  issuer: string;
  key: SigningKey;
  /** Accounts; undefined when only anonymous clients are served. */
  accounts: HtpasswdFile | undefined;
  policy: AccessPolicy;
  allowsAnonymous: boolean;
  /** Access token lifetime, seconds. */
  expiration: number;
  /** Refresh token lifetime, seconds. */
  refreshExpiration: number;
  now?: () => number;
}

class RequestError extends Error {
  readonly status: number;
  readonly oauth: string;
  constructor(status: number, oauth: string, message: string) {
    super(message);
    this.status = status;
    this.oauth = oauth;
  }
}

export class TokenService {
  readonly #o: TokenServiceOptions;

  constructor(opts: TokenServiceOptions) {
    this.#o = opts;
  }

  /** The extra request handler the server calls first: true when it answered the request. */
  handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== this.#o.path) return false;
    try {
      let body: Record<string, unknown>;
      if (req.method === 'GET') body = await this.#get(req, url.searchParams);
      else if (req.method === 'POST') body = await this.#post(req);
      else throw new RequestError(405, 'invalid_request', `method ${req.method ?? ''} not allowed`);
      send(res, 200, body);
    } catch (err) {
      if (!(err instanceof RequestError)) {
        send(res, 500, { errors: [{ code: 'UNKNOWN', message: 'unknown error' }] });
        return true;
      }
      const headers: Record<string, string> = {};
      if (err.status === 401) headers['www-authenticate'] = `Basic realm=${goQuote(this.#o.service)}`;
      if (err.status === 405) headers.allow = 'GET, POST';
      const code = err.status === 401 ? 'UNAUTHORIZED' : err.status === 405 ? 'UNSUPPORTED' : 'DENIED';
      send(res, err.status, { errors: [{ code, message: err.message }], error: err.oauth, error_description: err.message }, headers);
    }
    return true;
  };

  async #get(req: IncomingMessage, q: URLSearchParams): Promise<Record<string, unknown>> {
    this.#checkService(q.get('service'));
    const scopes = this.#scopes(q.getAll('scope'));
    let subject: Subject | undefined;
    if (req.headers.authorization !== undefined) {
      const creds = parseBasicAuthorization(req.headers.authorization);
      if (!creds) throw new RequestError(401, 'invalid_client', 'authentication required');
      subject = await this.#login(creds.user, creds.password);
      const account = q.get('account');
      if (account !== null && account !== '' && account !== subject.name) {
        throw new RequestError(400, 'invalid_request', 'account does not match the credentials');
      }
    } else if (!this.#o.allowsAnonymous) {
      throw new RequestError(401, 'invalid_client', 'authentication required');
    }
    return this.#issue(subject, scopes, q.get('offline_token') === 'true' && subject !== undefined, false);
  }

  async #post(req: IncomingMessage): Promise<Record<string, unknown>> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') throw new RequestError(400, 'invalid_request', 'expected an application/x-www-form-urlencoded form');
    const form = new URLSearchParams(await readBody(req));
    this.#checkService(form.get('service'));
    if (!form.get('client_id')) throw new RequestError(400, 'invalid_request', 'missing client_id');
    const scopes = this.#scopes(form.getAll('scope'));
    let subject: Subject;
    const grant = form.get('grant_type');
    if (grant === 'password') {
      subject = await this.#login(form.get('username') ?? '', form.get('password') ?? '');
    } else if (grant === 'refresh_token') {
      subject = await this.#refresh(form.get('refresh_token') ?? '');
    } else {
      throw new RequestError(400, 'unsupported_grant_type', `unsupported grant_type ${JSON.stringify(grant ?? '')}`);
    }
    return this.#issue(subject, scopes, form.get('access_type') === 'offline', true);
  }

  #checkService(service: string | null): void {
    if (service !== null && service !== this.#o.service) {
      throw new RequestError(400, 'invalid_request', `unknown service ${JSON.stringify(service)}`);
    }
  }

  #scopes(params: string[]): ReturnType<typeof parseScopes> {
    try {
      return parseScopes(params);
    } catch (err) {
      if (err instanceof ScopeError) throw new RequestError(400, 'invalid_scope', err.message);
      throw err;
    }
  }

  async #login(user: string, password: string): Promise<Subject> {
    if (this.#o.accounts === undefined || !(await this.#o.accounts.verify(user, password))) {
      throw new RequestError(401, 'invalid_grant', 'authentication required');
    }
    return { name: user, via: 'basic' };
  }

  async #refresh(token: string): Promise<Subject> {
    try {
      const claims = verifyToken(this.#o.key, token, { issuer: this.#o.issuer, audience: this.#o.service, now: this.#now() });
      // A removed account's refresh tokens die with it, and so do they when its password changes.
      if (claims.berth_refresh && claims.sub !== '' && claims.berth_account !== undefined && claims.berth_account === (await this.#o.accounts?.fingerprint(claims.sub))) {
        return { name: claims.sub, via: 'token' };
      }
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
    }
    throw new RequestError(401, 'invalid_grant', 'invalid refresh token');
  }

  #now(): number {
    return Math.floor((this.#o.now?.() ?? Date.now()) / 1000);
  }

  async #issue(subject: Subject | undefined, requested: ReturnType<typeof parseScopes>, offline: boolean, oauth: boolean): Promise<Record<string, unknown>> {
    const access = await this.#o.policy.grant(subject, requested);
    const now = this.#now();
    const sub = subject?.name ?? '';
    const token = signToken(this.#o.key, {
      iss: this.#o.issuer,
      sub,
      aud: this.#o.service,
      exp: now + this.#o.expiration,
      nbf: now,
      iat: now,
      jti: newTokenId(),
      access,
    });
    const body: Record<string, unknown> = {
      token,
      access_token: token,
      expires_in: this.#o.expiration,
      issued_at: new Date(now * 1000).toISOString().replace('.000Z', 'Z'),
    };
    if (oauth) body.scope = access.map(formatScope).join(' ');
    const fingerprint = offline && subject !== undefined ? await this.#o.accounts?.fingerprint(subject.name) : undefined;
    if (fingerprint !== undefined) {
      body.refresh_token = signToken(this.#o.key, {
        iss: this.#o.issuer,
        sub,
        aud: this.#o.service,
        exp: now + this.#o.refreshExpiration,
        nbf: now,
        iat: now,
        jti: newTokenId(),
        berth_refresh: true,
        berth_account: fingerprint,
      });
    }
    return body;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new RequestError(413, 'invalid_request', 'form too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
