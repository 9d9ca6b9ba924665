import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFromPem, loadOrCreateSigningKey, signToken, verifyToken, TokenError } from './jwt.ts';
import type { TokenClaims } from './jwt.ts';

const ecPem = (): string => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const now = 1_800_000_000;
const claims = (over: Partial<TokenClaims> = {}): TokenClaims => ({
  iss: 'berth', sub: 'alice', aud: 'reg', exp: now + 300, nbf: now, iat: now, jti: 'j',
  access: [{ type: 'repository', name: 'a', actions: ['pull'] }], ...over,
});
const expect = { issuer: 'berth', audience: 'reg', now };

test('ES256 and RS256 tokens verify; the claims come back', () => {
  for (const key of [keyFromPem(ecPem()), keyFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string)]) {
    const t = signToken(key, claims());
    const header = JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()) as { alg: string; kid: string };
    assert.equal(header.alg, key.alg);
    assert.equal(header.kid, key.kid);
    assert.deepEqual(verifyToken(key, t, expect).access, claims().access);
  }
});

test('expired, early, wrong issuer, wrong audience, wrong key, tampered and alg-swapped tokens are refused', () => {
  const key = keyFromPem(ecPem());
  const other = keyFromPem(ecPem());
  const refuse = (t: string, msg: RegExp): void => assert.throws(() => verifyToken(key, t, expect), (e: Error) => e instanceof TokenError && msg.test(e.message), String(msg));
  refuse(signToken(key, claims({ exp: now })), /expired/);
  refuse(signToken(key, claims({ nbf: now + 3600 })), /not valid yet/);
  refuse(signToken(key, claims({ iss: 'evil' })), /issuer/);
  refuse(signToken(key, claims({ aud: 'other-registry' })), /audience/);
  assert.equal(verifyToken(key, signToken(key, claims({ aud: ['x', 'reg'] })), expect).sub, 'alice');
  refuse(signToken(other, claims()), /unknown key/);
  // Same kid as ours but signed by another key: the signature check catches it.
  const forged = signToken({ ...other, kid: key.kid }, claims());
  refuse(forged, /signature/);
  // The access claim widened after signing.
  const [h, , s] = signToken(key, claims()).split('.');
  const wider = Buffer.from(JSON.stringify(claims({ access: [{ type: 'repository', name: 'a', actions: ['pull', 'push'] }] }))).toString('base64url');
  refuse(`${h}.${wider}.${s}`, /signature/);
  // alg none and HS256 with the public key as secret: refused before any signature math.
  const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  refuse(`${none}.${wider}.`, /algorithm "none"/);
  const hs = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  refuse(`${hs}.${wider}.${s}`, /algorithm "HS256"/);
  refuse('a.b', /malformed/);
  refuse('!!.b.c', /malformed/);
  refuse(`${h}.${Buffer.from('[1]').toString('base64url')}.${s}`, /malformed|signature/);
  refuse(signToken(key, claims({ access: 'all' as never })), /access claim/);
});

test('keys: made once and kept (0600), the same on a second load; weak or foreign keys are refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jwt-'));
  try {
    const path = join(dir, 'auth', 'token-signing-key.pem');
    const [a, b] = await Promise.all([loadOrCreateSigningKey(path), loadOrCreateSigningKey(path)]);
    assert.equal(a.kid, b.kid, 'two concurrent starts agree on one key');
    assert.equal((await loadOrCreateSigningKey(path)).kid, a.kid);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.match(await readFile(path, 'utf8'), /BEGIN PRIVATE KEY/);
    assert.equal(a.alg, 'ES256');
    await writeFile(join(dir, 'bad.pem'), 'not a key');
    await assert.rejects(loadOrCreateSigningKey(join(dir, 'bad.pem')), TokenError);
    assert.throws(() => keyFromPem(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string), /P-256/);
    assert.throws(() => keyFromPem(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string), /2048/);
  } finally {
    await rm(dir, { recursive: true });
  }
});
