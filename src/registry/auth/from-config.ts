// Builds berth-registry's authentication from the config's `auth` section:
//   auth.htpasswd {realm, path}                  basic auth, the AccessPolicy decides;
//   auth.token {realm?, service?, issuer?, expiration?, refreshexpiration?, signingkey?}
//                                                the built-in token service (accounts from
//                                                auth.htpasswd.path), bearer tokens;
//   auth.access {roles?, rules}                  the AccessPolicy (default: any account may do all).
// docs/registry.md, "Authentication and access", documents the shape.
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryAuthenticator } from './types.ts';
import { HtpasswdFile } from './htpasswd.ts';
import { RulePolicy } from './policy.ts';
import { HtpasswdAuthenticator, TokenAuthenticator } from './authenticators.ts';
import { TokenService } from './token-service.ts';
import { loadOrCreateSigningKey } from './jwt.ts';

export class AuthConfigError extends Error {}

export interface RegistryAuth {
  /** `htpasswd` or `token`. */
  kind: 'htpasswd' | 'token';
  authenticator: RegistryAuthenticator;
  /** The token endpoint, for the server's extra request handler (token mode only). */
  handler?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

const DEFAULT_SERVICE = 'berth-registry';
/** distribution's token docs use 5 minutes, as Docker Hub does. */
const DEFAULT_EXPIRATION = 300;
const DEFAULT_REFRESH_EXPIRATION = 90 * 24 * 3600;

/**
 * `stateDir` is where a generated signing key lives (the filesystem storage root), or undefined
 * when there is no local root (S3 storage): then `auth.token.signingkey` is required.
 * `defaultRealm` gives the token URL when neither the config nor the request names one.
 */
export async function authFromConfig(
  auth: unknown,
  ctx: { stateDir: string | undefined; defaultRealm: () => string },
): Promise<RegistryAuth | undefined> {
  if (auth === undefined || auth === null) return undefined;
  const a = mapping(auth, 'auth');
  for (const key of Object.keys(a)) {
    if (!['htpasswd', 'token', 'access'].includes(key)) throw new AuthConfigError(`auth: unknown or unsupported method ${JSON.stringify(key)} (htpasswd, token, access)`);
  }
  const policy = RulePolicy.fromConfig(a.access);
  const allowsAnonymous = policy.allowsAnonymous();
  let accounts: HtpasswdFile | undefined;
  let realm = 'berth-registry';
  if (a.htpasswd !== undefined) {
    const h = mapping(a.htpasswd, 'auth.htpasswd');
    const path = str(h.path, 'auth.htpasswd.path', true);
    realm = str(h.realm, 'auth.htpasswd.realm', false) ?? realm;
    accounts = new HtpasswdFile(path as string);
    try {
      await accounts.load();
    } catch (err) {
      throw new AuthConfigError(`auth.htpasswd.path: ${(err as Error).message}`);
    }
  }
  if (a.token === undefined) {
    if (!accounts) throw new AuthConfigError('auth: needs htpasswd or token');
    return { kind: 'htpasswd', authenticator: new HtpasswdAuthenticator({ realm, accounts, policy, allowsAnonymous }) };
  }
  const t = a.token === null ? {} : mapping(a.token, 'auth.token');
  for (const key of Object.keys(t)) {
    if (!['realm', 'service', 'issuer', 'expiration', 'refreshexpiration', 'signingkey'].includes(key)) {
      throw new AuthConfigError(`auth.token: unknown key ${JSON.stringify(key)} (the built-in token service; an external one is not supported)`);
    }
  }
  if (!accounts && !allowsAnonymous) throw new AuthConfigError('auth.token: needs auth.htpasswd.path for accounts, or an access rule for anonymous');
  const tokenRealm = str(t.realm, 'auth.token.realm', false);
  let path = '/auth/token';
  if (tokenRealm !== undefined) {
    try {
      path = new URL(tokenRealm).pathname;
    } catch {
      throw new AuthConfigError('auth.token.realm: expected an absolute URL');
    }
  }
  const service = str(t.service, 'auth.token.service', false) ?? DEFAULT_SERVICE;
  const issuer = str(t.issuer, 'auth.token.issuer', false) ?? service;
  const expiration = seconds(t.expiration, 'auth.token.expiration') ?? DEFAULT_EXPIRATION;
  const refreshExpiration = seconds(t.refreshexpiration, 'auth.token.refreshexpiration') ?? DEFAULT_REFRESH_EXPIRATION;
  const keyPath = str(t.signingkey, 'auth.token.signingkey', false) ?? (ctx.stateDir ? join(ctx.stateDir, 'auth', 'token-signing-key.pem') : undefined);
  if (keyPath === undefined) throw new AuthConfigError('auth.token.signingkey: required when the storage has no local root directory');
  let key;
  try {
    key = await loadOrCreateSigningKey(keyPath);
  } catch (err) {
    throw new AuthConfigError(`auth.token.signingkey: ${(err as Error).message}`);
  }
  const service_ = new TokenService({ path, service, issuer, key, accounts, policy, allowsAnonymous, expiration, refreshExpiration });
  return {
    kind: 'token',
    authenticator: new TokenAuthenticator({ realm: tokenRealm, defaultRealm: ctx.defaultRealm, service, issuer, key }),
    handler: service_.handle,
  };
}

function mapping(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AuthConfigError(`${where}: expected a mapping`);
  return v as Record<string, unknown>;
}

function str(v: unknown, where: string, required: boolean): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw new AuthConfigError(`${where}: required`);
    return undefined;
  }
  if (typeof v !== 'string' || v === '') throw new AuthConfigError(`${where}: expected a string`);
  return v;
}

function seconds(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  // Go durations as distribution writes them: 300s, 5m, 1h.
  const m = typeof v === 'string' ? /^(\d+)(s|m|h)$/.exec(v) : null;
  if (m) return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
  throw new AuthConfigError(`${where}: expected seconds or a duration like 5m`);
}
