// The JWTs of the built-in token service (distribution's docs/spec/auth/jwt.md): compact JWS,
// ES256 (P-256) or RS256, claims iss, sub, aud, exp, nbf, iat, jti and `access`.
// Written on node:crypto rather than a JWT library: the registry signs and verifies only its own
// tokens with one key and one algorithm, so the whole job is base64url, one sign and one verify
// call, and fixed claim checks; pinning the algorithm to the key's (never the header's choice,
// never `none`) is the security-critical part and is plainest in a few lines we own.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { link, open, readFile, unlink, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { fsyncDir, isErrno } from '../../common/index.ts';
import type { Access } from './types.ts';

export type SigningAlgorithm = 'ES256' | 'RS256';

export interface SigningKey {
  alg: SigningAlgorithm;
  /** RFC 7638 JWK thumbprint (base64url SHA-256), the `kid` header. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export class TokenError extends Error {}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access?: Access[];
  /** Set on refresh tokens only: an access token never has it, a refresh token is never an access token. */
  berth_refresh?: true;
  /** Refresh tokens: the account's htpasswd entry fingerprint when issued (a new password ends them). */
  berth_account?: string;
}

/** Leeway for nbf/iat against clock skew between the token service and a registry (both are us). */
const SKEW_SECONDS = 60;

export function keyFromPem(pem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new TokenError(`signing key: not a PEM private key: ${(err as Error).message}`);
  }
  let alg: SigningAlgorithm;
  if (privateKey.asymmetricKeyType === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') alg = 'ES256';
  else if (privateKey.asymmetricKeyType === 'rsa' && (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) alg = 'RS256';
  else throw new TokenError('signing key: need an EC P-256 key (ES256) or an RSA key of 2048 bits or more (RS256)');
  const publicKey = createPublicKey(privateKey);
  return { alg, kid: thumbprint(publicKey), privateKey, publicKey };
}

/** RFC 7638: SHA-256 over the JWK's required members in lexicographic order. */
function thumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/**
 * The key at `path`, made (EC P-256) on first use. Created with link(2) from a synced temp file,
 * so two registries starting on one root agree on one key and a crash never leaves half a key.
 */
export async function loadOrCreateSigningKey(path: string): Promise<SigningKey> {
  try {
    return keyFromPem(await readFile(path, 'utf8'));
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(pem);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, path);
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
  await fsyncDir(dir);
  return keyFromPem(await readFile(path, 'utf8'));
}

export function signToken(key: SigningKey, claims: TokenClaims): string {
  const header = { alg: key.alg, typ: 'JWT', kid: key.kid };
  const input = `${b64json(header)}.${b64json(claims)}`;
  const sig = sign('sha256', Buffer.from(input), key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

/** Verifies signature, issuer, audience and validity period; throws TokenError saying what failed. */
export function verifyToken(
  key: SigningKey,
  token: string,
  expect: { issuer: string; audience: string; now?: number },
): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new TokenError('malformed token');
  const [h, p, s] = parts as [string, string, string];
  const header = parseJson(h) as { alg?: unknown; kid?: unknown };
  if (header.alg !== key.alg) throw new TokenError(`token algorithm ${JSON.stringify(header.alg)} is not ${key.alg}`);
  if (header.kid !== undefined && header.kid !== key.kid) throw new TokenError('token signed by an unknown key');
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    key.alg === 'ES256' ? { key: key.publicKey, dsaEncoding: 'ieee-p1363' } : key.publicKey,
    Buffer.from(s, 'base64url'),
  );
  if (!ok) throw new TokenError('invalid token signature');
  const claims = parseJson(p) as Partial<TokenClaims>;
  const now = expect.now ?? Math.floor(Date.now() / 1000);
  if (claims.iss !== expect.issuer) throw new TokenError('token issuer is not this token service');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(expect.audience)) throw new TokenError('token audience is not this registry');
  if (typeof claims.exp !== 'number' || now >= claims.exp) throw new TokenError('token has expired');
  if (typeof claims.nbf === 'number' && now + SKEW_SECONDS < claims.nbf) throw new TokenError('token is not valid yet');
  if (typeof claims.sub !== 'string') throw new TokenError('token has no subject');
  if (claims.access !== undefined && !isAccessList(claims.access)) throw new TokenError('token access claim is malformed');
  return claims as TokenClaims;
}

function isAccessList(v: unknown): v is Access[] {
  return (
    Array.isArray(v) &&
    v.every(
      (a: unknown) =>
        typeof a === 'object' &&
        a !== null &&
        typeof (a as Access).type === 'string' &&
        typeof (a as Access).name === 'string' &&
        Array.isArray((a as Access).actions) &&
        (a as Access).actions.every((x) => typeof x === 'string'),
    )
  );
}

function b64json(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

function parseJson(part: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new TokenError('malformed token');
}

export function newTokenId(): string {
  return randomBytes(16).toString('base64url');
}
